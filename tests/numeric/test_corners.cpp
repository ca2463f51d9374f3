// Numerical corners (docs/reliability.md): valid but extreme parameters, alone
// and combined, run through simulate() on the baseline scenario. Each run must
// end cleanly: ok or kessler with every output finite and non-negative where
// the quantity cannot be negative, or failed with a message saying why.
// Never a crash, an exception, a NaN in a finished run or a negative stock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "dynamics/integrate.hpp"
#include "scenario/loader.hpp"
#include "scenario/parameter_path.hpp"

using namespace arcm;

namespace {

const std::vector<std::string> RESOURCES{"water", "pgm", "metals"};
const std::vector<std::string> ACTORS{"us", "cn",     "ru",          "eu",          "in",
                                      "jp", "spacex", "blue_origin", "eu_newspace", "cn_commercial"};

//! Outputs that may be negative: money flows and balances (losses), and the
//! inequality index of gains that may themselves be negative.
const std::set<std::string> MAY_BE_NEGATIVE{"npv",
                                            "cumulative_profit",
                                            "profit_rate",
                                            "npv_final",
                                            "activity_value",
                                            "activity_value_final",
                                            "cumulative_profit_final",
                                            "gini",
                                            "gini_final"};
//! Cumulative extraction cannot be negative, but unlike K, U, X, S and D
//! (which the recorder writes as the max(0, x) the model reads) its output is
//! the raw interpolated state: docs/model.md §9 allows it −(atol + rtol · its
//! largest value), an interpolation error where it leaves 0 (a burst of
//! extraction between two output years).
const std::set<std::string> WITHIN_TOLERANCE_OF_ZERO{"extracted"};
//! Outputs where NaN is a value: "never happened" (docs/output-format.md).
const std::set<std::string> NAN_MEANS_NEVER{"firm_overtake_year"};

//! One corner: extra YAML over the baseline and parameter values set by path.
struct Corner {
  std::string name;
  std::string yaml;
  std::vector<std::pair<std::string, double>> values;
};

std::vector<std::pair<std::string, double>> each_resource(const std::string& key, double value) {
  std::vector<std::pair<std::string, double>> values;
  for (const std::string& r : RESOURCES) values.push_back({"resources." + r + "." + key, value});
  return values;
}

std::vector<std::pair<std::string, double>> each_actor(const std::string& key, double value) {
  std::vector<std::pair<std::string, double>> values;
  for (const std::string& a : ACTORS) values.push_back({"actors." + a + "." + key, value});
  return values;
}

std::vector<std::pair<std::string, double>> no_capacity() {
  std::vector<std::pair<std::string, double>> values;
  for (const std::string& a : ACTORS)
    for (const std::string& r : RESOURCES) {
      values.push_back({"actors." + a + ".initial_capacity." + r, 0.0});
      values.push_back({"actors." + a + ".initial_pipeline." + r, 0.0});
    }
  for (const std::string& r : RESOURCES) values.push_back({"resources." + r + ".fringe_supply", 0.0});
  return values;
}

// pgm has a fringe and no backstop in the baseline; the no-capacity corner
// keeps only backstops, so pgm gets one (Earth supply at twice its price).
const std::string PGM_BACKSTOP = "resources: {pgm: {backstop: {price: 60, launch_mass: 0}}}\n";

// A regime event in every year of the run, alternating between two regimes.
std::string event_every_year() {
  std::string yaml = "schedule:\n";
  for (int year = 2026; year < 2075; ++year) {
    const bool odd = year % 2 == 1;
    yaml += "  - {year: " + std::to_string(year) + ", set: {benefit_sharing_rate: " + (odd ? "0.2" : "0") +
            ", property_security: " + (odd ? "0.2" : "1") +
            ", regime_scope: " + (odd ? "universal" : "parties") +
            ", safety_zone_exclusivity: " + (odd ? "1" : "0") + "}}\n";
  }
  return yaml;
}

template <class... Lists> std::vector<std::pair<std::string, double>> join(Lists... lists) {
  std::vector<std::pair<std::string, double>> all;
  (all.insert(all.end(), lists.begin(), lists.end()), ...);
  return all;
}

std::vector<Corner> corners() {
  const auto tiny_stock = join(each_resource("stock", 1.0), each_resource("min_stock", 0.01));
  const auto huge_stock = each_resource("stock", 1e12);
  const auto sharing = std::vector<std::pair<std::string, double>>{{"legal.benefit_sharing_rate", 0.99},
                                                                   {"legal.regime_scope", 1.0}};
  return {
      {"elasticity 0.05", "", each_resource("elasticity", 0.05)},
      {"elasticity 5", "", each_resource("elasticity", 5.0)},
      {"progress ratio 1.0", "", each_actor("progress_ratio", 1.0)},
      {"zero budgets", "", each_actor("budget", 0.0)},
      {"zero budgets and no reinvestment", "",
       join(each_actor("budget", 0.0), each_actor("profit_reinvestment", 0.0))},
      {"stocks of 1 t", "", tiny_stock},
      {"stocks of 1e12 t", "", huge_stock},
      {"benefit sharing 0.99 for everybody", "", sharing},
      {"no capacity, only backstops", PGM_BACKSTOP, no_capacity()},
      {"an event every year", event_every_year(), {}},
      // Combinations.
      {"elasticity 0.05, stocks of 1 t", "", join(each_resource("elasticity", 0.05), tiny_stock)},
      {"elasticity 5, stocks of 1e12 t, sharing 0.99", "",
       join(each_resource("elasticity", 5.0), huge_stock, sharing)},
      {"elasticity 0.05, no capacity, only backstops", PGM_BACKSTOP,
       join(each_resource("elasticity", 0.05), no_capacity())},
      {"elasticity 5, no capacity, only backstops, zero budgets", PGM_BACKSTOP,
       join(each_resource("elasticity", 5.0), no_capacity(), each_actor("budget", 0.0))},
      {"progress ratio 1.0, zero budgets, event every year", event_every_year(),
       join(each_actor("progress_ratio", 1.0), each_actor("budget", 0.0))},
      {"stocks of 1 t, sharing 0.99, event every year", event_every_year(), join(tiny_stock, sharing)},
      {"stocks of 1e12 t, elasticity 0.05, progress ratio 1.0", "",
       join(huge_stock, each_resource("elasticity", 0.05), each_actor("progress_ratio", 1.0))},
      {"stocks of 1 t, no capacity, only backstops", PGM_BACKSTOP, join(tiny_stock, no_capacity())},
      {"everything at once (elasticity 0.05)", PGM_BACKSTOP + event_every_year(),
       join(each_resource("elasticity", 0.05), tiny_stock, sharing, no_capacity(), each_actor("budget", 0.0),
            each_actor("progress_ratio", 1.0))},
      {"everything at once (elasticity 5, 1e12 t)", PGM_BACKSTOP + event_every_year(),
       join(each_resource("elasticity", 5.0), huge_stock, sharing, no_capacity(), each_actor("budget", 0.0),
            each_actor("progress_ratio", 1.0))},
  };
}

Scenario scenario_for(const Corner& corner) {
  Scenario scenario = load_scenario_from_string("extends: baseline.yaml\n" + corner.yaml,
                                                ARCM_SOURCE_DIR "/config/scenarios/corner.yaml");
  for (const auto& [path, value] : corner.values) ParameterPath::resolve(scenario, path).set(scenario, value);
  validate(scenario);
  return scenario;
}

//! Every value of a finished run: finite, and non-negative unless the
//! quantity may be negative. In a run that stopped early (kessler, failed),
//! trajectory values after the stop time are NaN by definition.
void check_outputs(const RunResults& results, const std::vector<Variable>& variables, bool trajectories,
                   const IntegratorSettings& integrator) {
  for (const Variable& v : variables) {
    const std::size_t per_time = trajectories && !v.data.empty() ? v.data.size() / results.time.size() : 0;
    double floor = 0.0; // the most negative value allowed
    if (trajectories && WITHIN_TOLERANCE_OF_ZERO.count(v.name)) {
      double largest = 0.0;
      for (double x : v.data)
        if (std::isfinite(x)) largest = std::max(largest, std::fabs(x));
      floor = -(integrator.absolute_tolerance + integrator.relative_tolerance * largest);
    }
    for (std::size_t i = 0; i < v.data.size(); ++i) {
      const double x = v.data[i];
      const bool after_stop = trajectories && results.time[i / per_time] > results.stop_time + 1e-9;
      if (std::isnan(x)) {
        if (after_stop && results.status != RunStatus::ok) continue;
        if (NAN_MEANS_NEVER.count(v.name)) continue;
        FAIL_CHECK(v.name << "[" << i << "] is NaN");
        break;
      }
      if (std::isinf(x) && v.name == "backstop_price" && x > 0) continue; // a resource without a backstop
      if (!std::isfinite(x) || (x < floor && !MAY_BE_NEGATIVE.count(v.name))) {
        FAIL_CHECK(v.name << "[" << i << "] = " << x);
        break;
      }
    }
  }
}

} // namespace

TEST_CASE("numerical corners: extreme but valid parameters run cleanly", "[numeric]") {
  for (const Corner& corner : corners()) {
    DYNAMIC_SECTION(corner.name) {
      Scenario scenario;
      REQUIRE_NOTHROW(scenario = scenario_for(corner));
      RunResults results;
      REQUIRE_NOTHROW(results = simulate(scenario));
      std::cout << "corner '" << corner.name << "': " << to_string(results.status) << " at "
                << results.stop_time << (results.message.empty() ? "" : " (" + results.message + ")") << "\n";
      REQUIRE(results.status != RunStatus::not_run);
      if (results.status == RunStatus::failed) {
        CHECK(results.message.size() > 10);
        continue;
      }
      if (results.status == RunStatus::ok) CHECK(results.stop_time == Approx(2075.0));
      check_outputs(results, results.trajectories, true, scenario.integrator);
      check_outputs(results, results.summary, false, scenario.integrator);
    }
  }
}
