// Golden regression of the baseline's per-run summary.
//
// The golden file holds every summary value of config/scenarios/baseline.yaml
// at 17 significant digits. A change to the model that moves any of them by
// more than the tolerance below fails here; if the change is intended, run
//   ARCM_UPDATE_GOLDEN=1 build/tests/regression/test_regression "[golden]"
// review `git diff tests/regression/golden/`, and commit the new file with a
// note in CHANGELOG.md saying why the numbers moved.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>

#include "dynamics/integrate.hpp"
#include "scenario/loader.hpp"
#include "support/golden.hpp"

using namespace arcm;

namespace {

const std::string GOLDEN_FILE =
    std::string(ARCM_SOURCE_DIR) + "/tests/regression/golden/baseline_summary.txt";

} // namespace

TEST_CASE("Baseline summary matches the golden file", "[golden]") {
  const Scenario s = load_scenario(std::string(ARCM_SOURCE_DIR) + "/config/scenarios/baseline.yaml");
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);

  if (const char* update = std::getenv("ARCM_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    std::ofstream out(GOLDEN_FILE);
    out << "# ARCM golden summary of config/scenarios/baseline.yaml; regenerate with ARCM_UPDATE_GOLDEN=1\n";
    for (const Variable& v : r.summary)
      for (std::size_t i = 0; i < v.data.size(); ++i)
        out << testing::golden_key(v, i) << " " << std::setprecision(17) << v.data[i] << "\n";
    WARN("golden file rewritten: " << GOLDEN_FILE);
    return;
  }

  const std::map<std::string, double> golden = testing::read_golden(GOLDEN_FILE);
  std::size_t compared = 0;
  for (const Variable& v : r.summary) {
    const double largest = testing::largest_finite(v);
    for (std::size_t i = 0; i < v.data.size(); ++i) {
      const std::string key = testing::golden_key(v, i);
      INFO(key);
      REQUIRE(golden.count(key) == 1);
      const double expected = golden.at(key);
      const double got = v.data[i];
      INFO("expected " << expected << ", got " << got);
      CHECK(testing::golden_agrees(v, expected, got, largest));
      ++compared;
    }
  }
  CHECK(compared == golden.size()); // no golden value left unchecked
}
