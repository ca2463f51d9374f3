// The parameter table drives the loader, the range checks, the emitter, sweep
// paths and schedule events. These tests walk every row of it through each
// of them, so a row that one consumer reads differently from another fails
// here, whichever row it is and whoever adds it.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>

#include "core/errors.hpp"
#include "core/schedule.hpp"
#include "scenario/loader.hpp"
#include "scenario/parameter_path.hpp"
#include "scenario/parameter_table.hpp"

using namespace arcm;
using parameters::Parameter;
using parameters::Section;
using parameters::Type;

namespace {

const std::string DATA = ARCM_TEST_DATA_DIR;
const std::string BASE = DATA + "/scenarios/base.yaml";

// Where a section's items sit in base.yaml: the YAML that opens the section
// around `inner` (one key: value), and the dotted path with ids filled in.
struct Place {
  std::string path;                        // e.g. "actors.usa"
  std::string (*wrap)(const std::string&); // YAML of a child of base.yaml setting `inner`
};

std::string number_text(double v) {
  std::ostringstream text;
  text.precision(17);
  text << v;
  return text.str();
}

Scenario load_child(const std::string& body) {
  return load_scenario_from_string("extends: base.yaml\n" + body, DATA + "/scenarios/child.yaml");
}

// A value inside the row's range that differs from its default, as YAML text
// and as the double its getter returns.
template <class Struct> std::pair<std::string, double> inside_value(const Parameter<Struct>& row) {
  const Struct defaults{};
  switch (row.about.type) {
  case Type::boolean: {
    const bool flipped = !(row.get && row.get(defaults) != 0.0);
    return {flipped ? "true" : "false", flipped ? 1.0 : 0.0};
  }
  case Type::choice: {
    const auto index = row.get(defaults) == 0.0 ? 1u : 0u;
    return {row.about.choices.at(index), static_cast<double>(index)};
  }
  default: break;
  }
  const parameters::Range& r = row.about.range;
  double v = 0.37;
  if (std::isfinite(r.low) && std::isfinite(r.high))
    v = r.low + 0.37 * (r.high - r.low);
  else if (std::isfinite(r.low))
    v = r.low + 0.37;
  if (row.about.type == Type::whole_number) v = std::floor(v) + 3;
  return {number_text(v), v};
}

// Values outside the row's range (none when it is unbounded).
std::vector<double> outside_values(const parameters::Description& about) {
  std::vector<double> out;
  const parameters::Range& r = about.range;
  if (std::isfinite(r.low)) out.push_back(r.low_open ? r.low : r.low - 1);
  if (std::isfinite(r.high)) out.push_back(r.high_open ? r.high : r.high + 1);
  return out;
}

bool scalar(Type type) {
  return type == Type::number || type == Type::optional_number || type == Type::whole_number ||
         type == Type::boolean || type == Type::choice;
}

// Every scalar row of `section`: set in a file it reads back through the
// row's getter (loader), survives to_yaml (emitter), and, if sweepable, the
// parameter path reads and writes the same value; out of its range it is
// refused at its own key.
// Values for the rows whose generic inside value another rule refuses
// (a start year the output step does not divide, a regeneration rate without
// a stock capacity, ...): YAML text and the value the getter returns.
using Overrides = std::map<std::string, std::pair<std::string, double>>;

template <class Struct, class Locate>
void walk_section(const Section<Struct>& section, const std::string& path,
                  std::string (*wrap)(const std::string&), Locate locate, const Overrides& overrides = {}) {
  for (const Parameter<Struct>& row : section.rows) {
    if (!scalar(row.about.type)) continue;
    const std::string key = path + "." + row.key();
    INFO("parameter " << key);
    const auto given = overrides.find(row.key());
    const auto [text, value] = given != overrides.end() ? given->second : inside_value(row);
    const Scenario loaded = load_child(wrap(std::string(row.key()) + ": " + text));
    CHECK(row.get(locate(loaded)) == value);
    const Scenario again = load_scenario_from_string(to_yaml(loaded), "resolved.yaml");
    CHECK(row.get(locate(again)) == value);
    if (row.sweepable()) {
      const ParameterPath swept = ParameterPath::resolve(load_scenario(BASE), key);
      CHECK(swept.get(loaded) == value);
      CHECK(swept.units() == row.about.unit);
      CHECK_FALSE(swept.long_name().empty());
      // Back to the default through the path, then to the value again.
      Scenario set = loaded;
      swept.set(set, row.get(std::decay_t<decltype(locate(set))>{}));
      CHECK(row.get(locate(set)) != value);
      swept.set(set, value);
      CHECK(row.get(locate(set)) == value);
      CHECK(swept.get(load_scenario_from_string(to_yaml(set), "swept.yaml")) == value);
    } else {
      CHECK_THROWS_AS(ParameterPath::resolve(load_scenario(BASE), key), Error);
    }
    for (double bad : outside_values(row.about)) {
      INFO("value " << bad);
      try {
        load_child(wrap(std::string(row.key()) + ": " + number_text(bad)));
        FAIL("accepted");
      } catch (const ConfigError& e) {
        CHECK(e.key() == key);
        CHECK(e.line() > 0);
        CHECK(std::string(e.what()).find(row.about.range.requirement()) != std::string::npos);
      }
    }
  }
}

std::string in_time(const std::string& inner) {
  return "time: {" + inner + "}\n";
}
std::string in_integrator(const std::string& inner) {
  return "integrator: {" + inner + "}\n";
}
std::string in_output(const std::string& inner) {
  return "output: {" + inner + "}\n";
}
std::string in_economy(const std::string& inner) {
  return "economy: {" + inner + "}\n";
}
std::string in_debris(const std::string& inner) {
  return "debris: {" + inner + "}\n";
}
std::string in_tension(const std::string& inner) {
  return "tension: {" + inner + "}\n";
}
std::string in_legal(const std::string& inner) {
  return "legal: {" + inner + "}\n";
}
std::string in_jurisdiction(const std::string& inner) {
  return "jurisdictions: {china: {" + inner + "}}\n";
}
std::string in_actor(const std::string& inner) {
  return "actors: {spacex: {" + inner + "}}\n";
}
std::string in_resource(const std::string& inner) {
  return "resources: {pgm: {" + inner + "}}\n";
}
std::string in_backstop(const std::string& inner) {
  return "resources: {water: {backstop: {" + inner + "}}}\n"; // merged over base.yaml's backstop
}
std::string in_beneficiary(const std::string& inner) {
  return "beneficiaries: {china: {" + inner + "}}\n";
}

} // namespace

TEST_CASE("Every section's keys are unique, and every row says what it is", "[scenario][parameters]") {
  const parameters::Table& t = parameters::table();
  auto check = [](const auto& section) {
    std::set<std::string> seen;
    for (const auto& row : section.rows) {
      INFO(section.path << "." << row.key());
      CHECK(seen.insert(row.key()).second);
      CHECK(std::string(row.about.meaning).size() > 3);
      if (scalar(row.about.type)) CHECK((row.get != nullptr && row.set != nullptr));
      if (row.about.type == Type::choice) CHECK(row.about.choices.size() == 2); // see choice_index
      if (row.about.type == Type::number || row.about.type == Type::optional_number)
        CHECK(std::string(row.about.unit).size() > 0);
      if (row.schedulable()) CHECK((row.about.type != Type::structured && row.about.type != Type::text));
    }
  };
  check(t.top);
  check(t.time);
  check(t.integrator);
  check(t.output);
  check(t.economy);
  check(t.debris);
  check(t.tension);
  check(t.legal);
  check(t.jurisdiction);
  check(t.actor);
  check(t.resource);
  check(t.backstop);
  check(t.beneficiary);
  check(t.event);
}

TEST_CASE("Every scalar key reads, writes, sweeps and range-checks through its row",
          "[scenario][parameters]") {
  const parameters::Table& t = parameters::table();
  walk_section(t.time, "time", &in_time, [](const Scenario& s) -> const Scenario& { return s; },
               {{"start", {"2030", 2030}}, {"end", {"2070", 2070}}});
  walk_section(t.integrator, "integrator", &in_integrator,
               [](const Scenario& s) -> const IntegratorSettings& { return s.integrator; });
  walk_section(t.output, "output", &in_output,
               [](const Scenario& s) -> const OutputSettings& { return s.output; }, {{"step", {"0.5", 0.5}}});
  walk_section(t.economy, "economy", &in_economy,
               [](const Scenario& s) -> const Economy& { return s.economy; },
               {{"foresight_step", {"0.5", 0.5}}}); // must divide the run's 50 years
  walk_section(t.debris, "debris", &in_debris, [](const Scenario& s) -> const Debris& { return s.debris; },
               {{"kessler_threshold", {"4.0e6", 4.0e6}}});
  walk_section(t.tension, "tension", &in_tension,
               [](const Scenario& s) -> const Tension& { return s.tension; });
  walk_section(t.legal, "legal", &in_legal, [](const Scenario& s) -> const Regime& { return s.regime; });
  walk_section(t.jurisdiction, "jurisdictions.china", &in_jurisdiction,
               [](const Scenario& s) -> const Jurisdiction& { return s.jurisdictions[1]; });
  walk_section(t.actor, "actors.spacex", &in_actor,
               [](const Scenario& s) -> const Actor& { return s.actors[2]; },
               {{"kind", {"firm", 1}}}); // a state may not sell launches

  walk_section(t.resource, "resources.pgm", &in_resource,
               [](const Scenario& s) -> const Resource& { return s.resources[1]; },
               {{"regeneration_rate", {"0.37, stock_capacity: 1.0e7", 0.37}}});
  walk_section(t.backstop, "resources.water.backstop", &in_backstop,
               [](const Scenario& s) -> const Resource& { return s.resources[0]; });
  // The weights are normalised on load: 14 of 4 + 14 + 62 is 14 / 80.
  walk_section(t.beneficiary, "beneficiaries.china", &in_beneficiary,
               [](const Scenario& s) -> const Beneficiary& { return s.beneficiaries[1]; },
               {{"weight", {"14", 14.0 / 80.0}}});
}

TEST_CASE("Every per-resource key reads, writes, sweeps and range-checks per resource",
          "[scenario][parameters]") {
  for (const Parameter<Actor>& row : parameters::table().actor.rows) {
    if (row.about.type != Type::per_resource) continue;
    const std::string key = std::string("actors.spacex.") + row.key();
    INFO(key);
    const Scenario loaded = load_child(in_actor(std::string(row.key()) + ": {pgm: 7.5}"));
    CHECK((loaded.actors[2].*(row.list)) == std::vector<double>{0.0, 7.5});
    const Scenario again = load_scenario_from_string(to_yaml(loaded), "resolved.yaml");
    CHECK((again.actors[2].*(row.list)) == std::vector<double>{0.0, 7.5});
    const ParameterPath swept = ParameterPath::resolve(load_scenario(BASE), key + ".pgm");
    CHECK(swept.get(loaded) == 7.5);
    for (double bad : outside_values(row.about)) {
      try {
        load_child(in_actor(std::string(row.key()) + ": {water: " + number_text(bad) + "}"));
        FAIL("accepted " << bad);
      } catch (const ConfigError& e) {
        CHECK(e.key() == key + ".water");
      }
    }
  }
}

TEST_CASE("Every schedulable key changes the regime at its event, and is range-checked there",
          "[scenario][parameters][schedule]") {
  const parameters::Table& t = parameters::table();
  auto walk = [](const auto& section, const std::string& target, auto locate) {
    for (const auto& row : section.rows) {
      if (!row.schedulable()) continue;
      INFO("schedule key " << row.key());
      const auto [text, value] = inside_value(row);
      const std::string event =
          "schedule:\n  - year: 2040\n" + target + "    set: {" + row.key() + ": " + text + "}\n";
      const Scenario s = load_child(event);
      const std::vector<Segment> segments = build_segments(s);
      REQUIRE(segments.size() == 2);
      CHECK(row.get(locate(segments[1].in_force)) == value);
      // The emitter writes the change back as its key; a sweep path reaches it.
      const Scenario again = load_scenario_from_string(to_yaml(s), "resolved.yaml");
      CHECK(row.get(locate(build_segments(again)[1].in_force)) == value);
      const ParameterPath swept = ParameterPath::resolve(s, std::string("schedule[0].set.") + row.key());
      CHECK(swept.get(s) == value);
      for (double bad : outside_values(row.about)) {
        const std::string wrong = "schedule:\n  - year: 2040\n" + target + "    set: {" + row.key() + ": " +
                                  number_text(bad) + "}\n";
        try {
          load_child(wrong);
          FAIL("accepted " << bad);
        } catch (const ConfigError& e) {
          CHECK(e.key() == std::string("schedule[0].set.") + row.key());
        }
      }
    }
  };
  walk(t.legal, "", [](const RegimeState& r) -> const Regime& { return r.regime; });
  walk(t.jurisdiction, "    jurisdiction: china\n",
       [](const RegimeState& r) -> const Jurisdiction& { return r.jurisdictions[1]; });
}

TEST_CASE("A schedule change is resolved from its key once, and refused for the wrong kind of event",
          "[scenario][parameters][schedule]") {
  const ParameterChange change = parameters::regime_change("benefit_sharing_rate", 0.05);
  REQUIRE(change.set_regime != nullptr);
  CHECK(change.set_jurisdiction == nullptr);
  CHECK(std::string(parameters::regime_row(change).key()) == "benefit_sharing_rate");
  Regime regime;
  change.set_regime(regime, change.value);
  CHECK(regime.benefit_sharing_rate == 0.05);
  CHECK_THROWS_AS(parameters::regime_change("licensing_delay", 1), Error);
  CHECK_THROWS_AS(parameters::jurisdiction_change("benefit_sharing_rate", 1), Error);
  CHECK_THROWS_AS(parameters::regime_change("no_such_key", 1), Error);
}

TEST_CASE("The generated key tables name every key with its unit and default", "[scenario][parameters]") {
  const std::string economy = parameters::key_table_markdown("economy");
  CHECK(economy.find("| `social_discount_rate` | r_soc | number | 1/yr | 0.05 | > 0 | sweep |") !=
        std::string::npos);
  const std::string resources = parameters::key_table_markdown("resources");
  CHECK(resources.find("`backstop.price`") != std::string::npos);
  CHECK(resources.find("| `operations_mass` | m_ops | number | – |") != std::string::npos);
  CHECK(parameters::key_table_markdown("legal").find("sweep, schedule") != std::string::npos);
  CHECK_THROWS_AS(parameters::key_table_markdown("no_such_section"), Error);

  const std::string readme = "intro\n<!-- keys: tension -->\nstale\n<!-- end keys -->\ntail\n";
  const std::string regenerated = parameters::regenerate_key_tables(readme);
  CHECK(regenerated == "intro\n<!-- keys: tension -->\n" + parameters::key_table_markdown("tension") +
                           "<!-- end keys -->\ntail\n");
  CHECK(parameters::regenerate_key_tables(regenerated) == regenerated);
  CHECK_THROWS_AS(parameters::regenerate_key_tables("<!-- keys: tension -->\nno end\n"), Error);
}
