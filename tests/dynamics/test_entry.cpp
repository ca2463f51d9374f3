// Entry of a plant (docs/model.md, "Entry"): the utilisation rule at K = 0
// (docs/model.md §3.5) and the entry the integrator locates as an event.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "dynamics/integrate.hpp"
#include "dynamics/system.hpp"
#include "scenario/loader.hpp"
#include "support/result_access.hpp"

using namespace arcm;
using arcm::testing::var;

TEST_CASE("Utilisation at K = 0: the rule as written, a plant not entered, an entered one", "[entry]") {
  const double availability = 0.8, in_money_cost = 2.0, out_of_money_cost = 5.0, price = 3.0;
  // docs/model.md §3.5 as written: q/K, and 1 where K = 0.
  CHECK(plant_utilisation(-1, 10.0, 4.0, availability, in_money_cost, price, 1.0) == 0.4);
  CHECK(plant_utilisation(-1, 0.0, 0.0, availability, in_money_cost, price, 1.0) == 1.0);
  // Not entered: 1, or the availability in the money (positive gross margin).
  CHECK(plant_utilisation(0, 0.0, 0.0, availability, out_of_money_cost, price, -1.0) == 1.0);
  CHECK(plant_utilisation(0, 0.0, 0.0, availability, in_money_cost, price, 1.0) == availability);
  // Entered: q/K, and its limit where K = 0: K̃/K in the money, 0 out of it.
  CHECK(plant_utilisation(1, 10.0, 4.0, availability, in_money_cost, price, 1.0) == 0.4);
  CHECK(plant_utilisation(1, 0.0, 0.0, availability, in_money_cost, price, 1.0) == availability);
  CHECK(plant_utilisation(1, 0.0, 0.0, availability, out_of_money_cost, price, -1.0) == 0.0);
  CHECK(plant_utilisation(1, 0.0, 0.0, availability, price, price, 0.0) == 0.0); // ĉ = P: produces nothing
}

namespace {
Scenario entry_scenario(double tolerance) {
  Scenario s = load_scenario(std::string(ARCM_TEST_DATA_DIR) + "/scenarios/entry_out_of_money.yaml");
  s.integrator.relative_tolerance = tolerance;
  s.integrator.absolute_tolerance = tolerance;
  return s;
}
} // namespace

TEST_CASE("An entry out of the money is located: the default tolerance agrees with a tight run", "[entry]") {
  // The state's investment jumps from 0 to its financing cap when its q
  // (with u = 1) crosses 1, around 2063. Stepping over the jump without
  // locating it would misplace it by up to a step (~0.5 yr), off by tens of
  // percent in the NPV and the pipeline; located, the runs agree closely.
  const RunResults loose = simulate(entry_scenario(1e-6));
  const RunResults tight = simulate(entry_scenario(1e-10));
  REQUIRE(loose.status == RunStatus::ok);
  REQUIRE(tight.status == RunStatus::ok);
  const Variable& investment = var(tight, "investment");
  std::size_t first_investing = investment.data.size();
  for (std::size_t row = 0; row < investment.data.size(); ++row)
    if (investment.data[row] > 0.0) {
      first_investing = row;
      break;
    }
  REQUIRE(first_investing < investment.data.size()); // the entry happens inside the run
  REQUIRE(first_investing > 10);                     // and not at the start
  CHECK(investment.data[first_investing] > 50.0);    // as a jump, to the financing cap
  // Year by year, relative to max(|tight|, 1e-6 of the variable's largest value).
  for (const char* name : {"npv", "pipeline", "capacity", "investment"}) {
    const Variable& a = var(loose, name);
    const Variable& b = var(tight, name);
    REQUIRE(a.data.size() == b.data.size());
    double largest = 0.0, worst = 0.0;
    for (double v : b.data) largest = std::max(largest, std::fabs(v));
    for (std::size_t e = 0; e < a.data.size(); ++e)
      worst =
          std::max(worst, std::fabs(a.data[e] - b.data[e]) / std::max(std::fabs(b.data[e]), 1e-6 * largest));
    INFO(name << ": largest relative deviation " << worst);
    CHECK(worst < 1e-4);
  }
}
