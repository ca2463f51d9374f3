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

using namespace arcm;

namespace {

// The baseline integrates at relative tolerance 1e-6; the golden comparison
// asks for 1e-7 relative so that any change to the equations shows, with an
// absolute floor of 1e-9 times the variable's largest value (Cantera-style)
// for quantities that are almost zero. Discrete values (years) must match.
constexpr double GOLDEN_RTOL = 1e-7;
constexpr double GOLDEN_FLOOR = 1e-9;

const std::string GOLDEN_FILE =
    std::string(ARCM_SOURCE_DIR) + "/tests/regression/golden/baseline_summary.txt";

std::string key_of(const Variable& v, std::size_t index) {
  return v.name + "[" + std::to_string(index) + "]";
}

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
        out << key_of(v, i) << " " << std::setprecision(17) << v.data[i] << "\n";
    WARN("golden file rewritten: " << GOLDEN_FILE);
    return;
  }

  std::ifstream in(GOLDEN_FILE);
  REQUIRE(in.good());
  std::map<std::string, double> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string key, value;
    fields >> key >> value;
    golden[key] = std::strtod(value.c_str(), nullptr); // strtod reads "nan"
  }
  std::size_t compared = 0;
  for (const Variable& v : r.summary) {
    double largest = 0.0;
    for (double x : v.data)
      if (std::isfinite(x)) largest = std::max(largest, std::fabs(x));
    for (std::size_t i = 0; i < v.data.size(); ++i) {
      const std::string key = key_of(v, i);
      INFO(key);
      REQUIRE(golden.count(key) == 1);
      const double expected = golden[key];
      const double got = v.data[i];
      if (std::isnan(expected)) {
        CHECK(std::isnan(got));
      } else if (v.units == "year") { // calendar years: discrete, exact
        CHECK(got == expected);
      } else {
        CHECK(std::fabs(got - expected) <= GOLDEN_RTOL * std::fabs(expected) + GOLDEN_FLOOR * largest);
      }
      ++compared;
    }
  }
  CHECK(compared == golden.size()); // no golden value left unchecked
}
