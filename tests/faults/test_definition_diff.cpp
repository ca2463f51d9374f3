// describe_definition_change: the message of a --resume refused because the
// sweep was edited must say which keys changed, from what, to what.
#include <catch2/catch.hpp>

#include <string>

#include "driver/definition_diff.hpp"

using arcm::driver::describe_definition_change;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

const std::string BEFORE = "name: \"s\"\n"
                           "seed: 5\n"
                           "design:\n"
                           "  type: grid\n"
                           "  parameters:\n"
                           "    legal.property_security: [0.4, 0.7, 1]\n"
                           "scenario_yaml: |\n"
                           "  name: base\n"
                           "  actors:\n"
                           "    spacex: {budget: 3000, progress_ratio: 0.8}\n"
                           "  schedule:\n"
                           "    - {year: 2030, set: {benefit_sharing_rate: 0.01}}\n";

std::string replaced(std::string text, const std::string& old, const std::string& now) {
  const std::size_t at = text.find(old);
  REQUIRE(at != std::string::npos);
  return text.replace(at, old.size(), now);
}

} // namespace

TEST_CASE("An unchanged definition has no difference", "[definition_diff]") {
  CHECK_THAT(describe_definition_change(BEFORE, BEFORE), Equals("no difference"));
}

TEST_CASE("A changed scalar names its key and both values", "[definition_diff]") {
  CHECK_THAT(describe_definition_change(BEFORE, replaced(BEFORE, "seed: 5", "seed: 6")),
             Equals("`seed: 5` is now `seed: 6`"));
}

TEST_CASE("A changed grid axis is reported whole", "[definition_diff]") {
  CHECK_THAT(describe_definition_change(BEFORE, replaced(BEFORE, "0.7, 1]", "0.8, 1]")),
             Equals("`design.parameters.legal.property_security: [0.4, 0.7, 1]` is now "
                    "`design.parameters.legal.property_security: [0.4, 0.8, 1]`"));
}

TEST_CASE("Changes inside the inlined scenario are named by their keys", "[definition_diff]") {
  const std::string now = replaced(replaced(BEFORE, "budget: 3000", "budget: 0"), "0.01}", "0.02}");
  CHECK_THAT(
      describe_definition_change(BEFORE, now),
      Equals("`scenario_yaml.actors.spacex.budget: 3000` is now `scenario_yaml.actors.spacex.budget: 0`; "
             "`scenario_yaml.schedule[0].set.benefit_sharing_rate: 0.01` is now "
             "`scenario_yaml.schedule[0].set.benefit_sharing_rate: 0.02`"));
}

TEST_CASE("Added and removed keys and list items are reported", "[definition_diff]") {
  const std::string now = replaced(replaced(BEFORE, "seed: 5\n", ""), "    - {year: 2030",
                                   "    - {year: 2029, set: {property_security: 1}}\n    - {year: 2030");
  // Lists are compared item by item: the inserted event changes item 0 and adds item 1.
  const std::string message = describe_definition_change(BEFORE, now, 10);
  CHECK_THAT(message, Contains("`seed: 5` was removed"));
  CHECK_THAT(message, Contains("`scenario_yaml.schedule[0].set.property_security: 1` was added"));
  CHECK_THAT(
      message,
      Contains("`scenario_yaml.schedule[0].year: 2030` is now `scenario_yaml.schedule[0].year: 2029`"));
  CHECK_THAT(
      message,
      Contains("`scenario_yaml.schedule[1]: {year: 2030, set: {benefit_sharing_rate: 0.01}}` was added"));
}

TEST_CASE("Many differences are cut to the limit and counted", "[definition_diff]") {
  std::string before, now;
  for (int i = 0; i < 10; ++i) {
    before += "k" + std::to_string(i) + ": 1\n";
    now += "k" + std::to_string(i) + ": 2\n";
  }
  const std::string message = describe_definition_change(before, now, 3);
  CHECK_THAT(message, Contains("`k2: 1` is now `k2: 2`; and 7 more"));
  CHECK_THAT(message, !Contains("k3"));
}

TEST_CASE("Text that is not YAML is compared line by line", "[definition_diff]") {
  CHECK_THAT(describe_definition_change("a: 1\nb: [\n", "a: 1\nb: {\n"),
             Equals("resolved definition line 2 was \"b: [\", now \"b: {\""));
  CHECK_THAT(describe_definition_change("a: 1 # x\n", "a: 1 # y\n"),
             Equals("resolved definition line 1 was \"a: 1 # x\", now \"a: 1 # y\""));
}
