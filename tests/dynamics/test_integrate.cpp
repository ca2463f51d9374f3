// Whole-run properties of the integrator (docs/model.md §3.10, §3.11, §9).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/state.hpp"
#include "dynamics/integrate.hpp"
#include "dynamics/valuation.hpp"
#include "scenario/parameter_table.hpp"
#include "support/result_access.hpp"
#include "support/small_scenarios.hpp"

using namespace arcm;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

using arcm::testing::var;

TEST_CASE("Stocks plus cumulative extraction are conserved, and receipts equal royalties paid",
          "[integrate][conservation]") {
  const Scenario s = testing::two_actor_scenario();
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  const Variable& stock = var(r, "stock");
  const Variable& extracted = var(r, "extracted");
  const Variable& receipts = var(r, "receipts");
  const Variable& paid = var(r, "royalties_paid");
  const std::size_t n = s.n_actors();
  double max_extracted = 0.0;
  for (std::size_t row = 0; row < r.time.size(); ++row) {
    double total = stock.data[row];
    for (std::size_t i = 0; i < n; ++i) total += extracted.data[row * n + i];
    CHECK_THAT(total, WithinRel(s.resources[0].stock, 1e-6));
    double received = 0.0, given = 0.0;
    for (std::size_t b = 0; b < s.n_beneficiaries(); ++b)
      received += receipts.data[row * s.n_beneficiaries() + b];
    for (std::size_t i = 0; i < n; ++i) given += paid.data[row * n + i];
    CHECK_THAT(received, WithinRel(given, 1e-6) || WithinAbs(given, 1e-9));
    for (std::size_t i = 0; i < n; ++i) max_extracted = std::max(max_extracted, extracted.data[row * n + i]);
  }
  CHECK(max_extracted > 0.0); // the test would be empty without extraction
  CHECK(receipts.data.back() > 0.0);
}

TEST_CASE("Capacity, pipeline, experience, stock and debris never go negative", "[integrate][invariants]") {
  const Scenario s = testing::two_actor_scenario();
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  const double tolerance = s.integrator.absolute_tolerance;
  for (const char* name :
       {"capacity", "pipeline", "launch_experience", "stock", "debris", "extraction", "price"}) {
    const Variable& v = var(r, name);
    const double largest = *std::max_element(v.data.begin(), v.data.end());
    for (double value : v.data) CHECK(value >= -(tolerance + s.integrator.relative_tolerance * largest));
  }
  const Variable& tension = var(r, "tension");
  for (double value : tension.data) {
    CHECK(value >= 0.0);
    CHECK(value <= 1.0);
  }
}

TEST_CASE("Pipeline and capacity approach their steady states under constant investment",
          "[integrate][closed-form]") {
  Scenario s = testing::two_actor_scenario();
  s.end_year = 2225;
  s.actors.resize(1); // the state alone
  s.beneficiaries = {{"agency", 1.0, 0}};
  Actor& a = s.actors[0];
  a.progress_ratio = 1.0;    // constant launch cost, so κ is constant
  a.strategic_value = 100.0; // desired investment far above the budget
  a.budget = 250.0;
  a.resource_budget_share = 1.0;
  a.budget_growth = 0.0;
  a.profit_reinvestment = 0.0;
  a.initial_capacity = {0.0};
  Resource& water = s.resources[0];
  water.entry_scale = 1000.0;
  water.depreciation = 0.1;
  s.debris.collision_rate = 0.0;
  s.regime.benefit_sharing_rate = 0.0;
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  const double kappa =
      water.hardware_cost + water.plant_mass * a.launch_cost; // no licensing fee, no surcharge
  const double lag = water.build_time + s.jurisdictions[0].licensing_delay;
  CHECK_THAT(var(r, "investment").data.back(), WithinRel(250.0, 1e-9));
  CHECK_THAT(var(r, "pipeline").data.back(), WithinRel(250.0 / kappa * lag, 1e-6));
  CHECK_THAT(var(r, "capacity").data.back(), WithinRel(250.0 / kappa / water.depreciation, 1e-6));
}

TEST_CASE("A schedule event applies exactly at its year, and outputs there are right-continuous",
          "[integrate][schedule]") {
  for (double event_year : {2035.0, 2035.37}) {
    Scenario s = testing::two_actor_scenario();
    s.regime.benefit_sharing_rate = 0.0;
    ScheduleEvent event;
    event.year = event_year;
    event.changes.push_back(parameters::regime_change("benefit_sharing_rate", 0.05));
    s.schedule.push_back(event);
    const RunResults r = simulate(s);
    REQUIRE(r.status == RunStatus::ok);
    const Variable& royalty = var(r, "royalty");
    const Variable& revenue = var(r, "revenue");
    const Variable& receipts = var(r, "receipts");
    const std::size_t n = s.n_actors(), nb = s.n_beneficiaries();
    for (std::size_t row = 0; row < r.time.size(); ++row) {
      const double t = r.time[row];
      double paid = 0.0, earned = 0.0, received = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        paid += royalty.data[row * n + i];
        earned += revenue.data[row * n + i];
      }
      for (std::size_t b = 0; b < nb; ++b) received += receipts.data[row * nb + b];
      INFO("t = " << t << ", event at " << event_year);
      if (t < event_year) {
        CHECK(paid == 0.0);
        // No step crossed the event: nothing was paid before it, not even by a step's overshoot.
        CHECK(received == 0.0);
      } else {
        CHECK_THAT(paid, WithinRel(0.05 * earned, 1e-12)); // post-event parameters at the event year itself
      }
    }
    CHECK(receipts.data.back() > 0.0);
  }
}

TEST_CASE("Debris reaching the Kessler threshold stops the run there", "[integrate][kessler]") {
  Scenario s = testing::two_actor_scenario();
  s.debris.collision_rate = 2.0;
  s.debris.saturation = 1e12;
  s.debris.kessler_threshold = 5 * s.debris.initial;
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::kessler);
  CHECK(r.stop_time > s.start_year);
  CHECK(r.stop_time < s.end_year);
  CHECK_THAT(r.message, Contains("Kessler"));
  const Variable& debris = var(r, "debris");
  for (std::size_t row = 0; row < r.time.size(); ++row) {
    if (r.time[row] < r.stop_time)
      CHECK(debris.data[row] < s.debris.kessler_threshold);
    else
      CHECK(std::isnan(debris.data[row]));
  }
  CHECK_THAT(var(r, "debris_final").data[0], WithinRel(s.debris.kessler_threshold, 1e-8));
  CHECK(var(r, "stop_time").data[0] == r.stop_time);
}

TEST_CASE("A run that hits the step limit fails with a clear message", "[integrate][failure]") {
  Scenario s = testing::two_actor_scenario();
  s.integrator.max_steps = 10;
  const RunResults r = simulate(s);
  CHECK(r.status == RunStatus::failed);
  CHECK_THAT(r.message, Contains("step limit") && Contains("max_steps") && Contains("t = "));
  CHECK(r.accepted_steps == 10);
}

TEST_CASE("A run whose parameters produce non-finite values fails naming the time and the component",
          "[integrate][failure]") {
  Scenario s = testing::two_actor_scenario();
  s.resources[0].hardware_cost = 0.0; // κ = 0: the check refuses this, but the integrator must not crash
  s.resources[0].plant_mass = 0.0;
  const RunResults r = simulate(s);
  CHECK(r.status == RunStatus::failed);
  CHECK_THAT(r.message, Contains("non-finite") && Contains("t = ") && Contains("["));
  // Final values are those at the stop time, not at the last output year.
  CHECK(var(r, "stop_time").data[0] == r.stop_time);
  CHECK(r.stop_time < s.end_year);
  const double final_debris = var(r, "debris_final").data[0];
  CHECK(std::isfinite(final_debris));
  if (r.stop_time == s.start_year) CHECK(final_debris == s.debris.initial);
}

TEST_CASE("Two runs of one scenario are identical to the bit", "[integrate][determinism]") {
  const Scenario s = testing::two_actor_scenario();
  const RunResults a = simulate(s), b = simulate(s);
  REQUIRE(a.trajectories.size() == b.trajectories.size());
  for (std::size_t v = 0; v < a.trajectories.size(); ++v) {
    INFO(a.trajectories[v].name);
    const auto& x = a.trajectories[v].data;
    const auto& y = b.trajectories[v].data;
    CHECK(std::equal(x.begin(), x.end(), y.begin(),
                     [](double p, double q) { return (std::isnan(p) && std::isnan(q)) || p == q; }));
  }
  CHECK(a.rhs_evaluations == b.rhs_evaluations);
}

TEST_CASE("Bulirsch-Stoer and dopri5 agree on a run", "[integrate][stepper]") {
  Scenario s = testing::two_actor_scenario();
  s.integrator.relative_tolerance = 1e-10;
  s.integrator.absolute_tolerance = 1e-10;
  const RunResults a = simulate(s);
  s.integrator.stepper = Stepper::bulirsch_stoer;
  const RunResults b = simulate(s);
  REQUIRE(a.status == RunStatus::ok);
  REQUIRE(b.status == RunStatus::ok);
  CHECK(b.rejected_steps == -1); // unknown for Bulirsch-Stoer
  for (const char* name : {"price", "stock", "debris", "capacity", "tension"}) {
    INFO(name);
    const Variable& x = var(a, name);
    const Variable& y = var(b, name);
    const double largest = *std::max_element(x.data.begin(), x.data.end());
    for (std::size_t i = 0; i < x.data.size(); ++i) CHECK(std::fabs(x.data[i] - y.data[i]) <= 1e-6 * largest);
  }
}

TEST_CASE("Mitigation is charged from economy.mitigation_reference, by default from P_M(t0)",
          "[integrate][launch]") {
  // c_L = c_buy (1 + ψ_L ...) (1 + c_M max(0, P_M − P_M,ref)) (docs/model.md §3.1). At t0 the
  // debris factor is 1, so a reference of 0 under P_M = 0.5 and c_M = 0.2 makes every launch
  // 1 + 0.2 × 0.5 = 1.1 times dearer than the default, whose reference is P_M(t0).
  Scenario s = testing::two_actor_scenario();
  s.regime.debris_mitigation = 0.5;
  s.economy.mitigation_cost = 0.2;
  const RunResults by_default = simulate(s);
  Scenario at_t0 = s;
  at_t0.economy.mitigation_reference = 0.5; // what the default resolves to
  const RunResults same = simulate(at_t0);
  Scenario from_zero = s;
  from_zero.economy.mitigation_reference = 0.0;
  const RunResults charged = simulate(from_zero);
  REQUIRE(by_default.status == RunStatus::ok);
  REQUIRE(charged.status == RunStatus::ok);
  for (std::size_t v = 0; v < by_default.trajectories.size(); ++v)
    CHECK(by_default.trajectories[v].data == same.trajectories[v].data);
  const Variable& before = var(by_default, "launch_cost");
  const Variable& after = var(charged, "launch_cost");
  for (std::size_t i = 0; i < s.n_actors(); ++i)
    CHECK_THAT(after.data[i], WithinRel(1.1 * before.data[i], 1e-12)); // row 0: t0
  // A reference above P_M charges nothing: max(0, ·).
  Scenario above = s;
  above.economy.mitigation_reference = 0.8;
  CHECK(var(simulate(above), "launch_cost").data[0] == before.data[0]);
}

TEST_CASE("The terminal value is the capacity and pipeline standing, valued as the investor values them",
          "[integrate][valuation]") {
  // docs/model.md §3.12, "Terminal value", recomputed from the recorded outputs and the
  // scenario's parameters: W = max(0, margin) / r̂, W^U = W / (1 + (r̂ − δ) τ_b),
  // TV = e^{−r (t − t0)} (K W + U W^U), activity_value = npv + TV.
  const Scenario s = testing::two_actor_scenario();
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  const Resource& water = s.resources[0];
  const double beta = s.regime.benefit_sharing_rate;   // universal scope: every actor pays it
  const double theta_eff = s.regime.property_security; // no safety zones, no domestic law
  const double build_lag = water.build_time + s.jurisdictions[0].licensing_delay;
  const std::size_t n = s.n_actors();
  std::size_t valued = 0;
  for (std::size_t row = 1; row < r.time.size(); ++row) {
    const double t = r.time[row];
    const double price = var(r, "price").data[row];
    const double tension = var(r, "tension").data[row];
    for (std::size_t i = 0; i < n; ++i) {
      const Actor& a = s.actors[i];
      const double capacity = var(r, "capacity").data[row * n + i];
      const double pipeline = var(r, "pipeline").data[row * n + i];
      REQUIRE(capacity > 0.0);
      const double utilisation = var(r, "extraction").data[row * n + i] / capacity;
      const double margin = ((1.0 - beta) * price - var(r, "unit_cost").data[row * n + i]) * utilisation -
                            water.operations_mass * var(r, "launch_cost").data[row * n + i];
      const double required = a.discount_rate + s.economy.title_risk_premium * (1.0 - theta_eff) +
                              s.economy.tension_risk_premium * tension + water.depreciation;
      const double installed = std::max(0.0, margin) / required;
      const double building = installed / (1.0 + (required - water.depreciation) * build_lag);
      const double expected =
          std::exp(-a.discount_rate * (t - s.start_year)) * (capacity * installed + pipeline * building);
      INFO("t = " << t << ", actor " << a.id << ", margin " << margin);
      CHECK_THAT(var(r, "terminal_value").data[row * n + i], WithinRel(expected, 1e-9));
      CHECK_THAT(var(r, "activity_value").data[row * n + i],
                 WithinRel(var(r, "npv").data[row * n + i] + expected, 1e-9));
      valued += expected > 0.0;
    }
  }
  CHECK(valued > 0); // the check is not all zeros
  const std::size_t last = r.time.size() - 1;
  for (std::size_t i = 0; i < n; ++i)
    CHECK(var(r, "activity_value_final").data[i] == var(r, "activity_value").data[last * n + i]);
}

TEST_CASE("A plant that loses money is worth nothing; a pipeline is worth its plant discounted over the lag",
          "[valuation]") {
  CHECK(installed_plant_value(-1.0, 0.1) == 0.0);
  CHECK(installed_plant_value(0.0, 0.1) == 0.0);
  CHECK_THAT(installed_plant_value(2.0, 0.1), WithinRel(20.0, 1e-15));
  CHECK_THAT(pipeline_plant_value(20.0, 0.1, 4.0), WithinRel(20.0 / 1.4, 1e-15));
  // A lag discounted at a negative rate past the point where the integral diverges: as installed.
  CHECK(pipeline_plant_value(20.0, -0.5, 4.0) == 20.0);
}
