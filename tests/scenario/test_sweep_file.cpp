// Sweep files: every design's size, run points, the resolved form, and one
// bad-file fixture per rule (file, line and key in the message).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "scenario/sweep_file.hpp"

using namespace arcm;
using Catch::Matchers::Contains;

namespace {

const std::string DATA = ARCM_TEST_DATA_DIR;

SweepDefinition fixture_sweep(const std::string& name) {
  return load_sweep(DATA + "/sweeps/" + name);
}

void require_refused(const std::string& fixture, int line, const std::string& key, const std::string& text,
                     const std::string& reported_file = "") {
  const std::string path = DATA + "/bad_sweeps/" + fixture;
  INFO("fixture " << fixture);
  try {
    load_sweep(path);
    FAIL("no error for " << fixture);
  } catch (const ConfigError& e) {
    INFO("message: " << e.what());
    CHECK(e.line() == line);
    CHECK(e.key() == key);
    CHECK_THAT(std::string(e.what()), Contains(reported_file.empty() ? fixture : reported_file));
    CHECK_THAT(std::string(e.what()), Contains(":" + std::to_string(line) + ":"));
    CHECK_THAT(std::string(e.what()), Contains(text));
  }
}

} // namespace

TEST_CASE("Each design has the number of runs its definition implies", "[sweep][designs]") {
  CHECK(fixture_sweep("grid.yaml").total_runs() == 3 * 2 * 2);
  CHECK(fixture_sweep("scenarios_with_failure.yaml").total_runs() == 2 * 2);
  CHECK(fixture_sweep("monte_carlo.yaml").total_runs() == 12);
  CHECK(fixture_sweep("latin_hypercube.yaml").total_runs() == 40);
  CHECK(fixture_sweep("sobol.yaml").total_runs() == 8 * (3 + 2));
  CHECK(fixture_sweep("morris.yaml").total_runs() == 3 * (3 + 1));
}

TEST_CASE("A run's scenario carries the run's parameter values", "[sweep]") {
  const SweepDefinition grid = fixture_sweep("grid.yaml");
  // Last axis fastest: run 7 = 1*4 + 1*2 + 1 = (property 0.6, sharing 0.05, scope universal).
  const Scenario s = grid.scenario_for_run(7);
  CHECK(s.regime.property_security == Approx(0.6).epsilon(1e-15));
  CHECK(s.regime.benefit_sharing_rate == 0.05);
  CHECK(s.regime.scope == RegimeScope::universal);
  const Scenario first = grid.scenario_for_run(0);
  CHECK(first.regime.property_security == 0.3);
  CHECK(first.regime.scope == RegimeScope::parties);

  const SweepDefinition mc = fixture_sweep("monte_carlo.yaml");
  for (std::size_t run = 0; run < mc.total_runs(); ++run) {
    const Scenario r = mc.scenario_for_run(run);
    const double p = r.actors[6].progress_ratio; // spacex
    CHECK(p >= 0.75);
    CHECK(p <= 0.95);
    const double beta = r.regime.benefit_sharing_rate;
    CHECK((beta == 0.0 || beta == 0.02 || beta == 0.05));
  }
  const SweepDefinition both = fixture_sweep("scenarios_with_failure.yaml");
  CHECK(both.scenario_for_run(0).integrator.max_steps != 30);
  CHECK(both.scenario_for_run(3).integrator.max_steps == 30); // second scenario, second axis value
  CHECK(both.scenario_for_run(3).regime.safety_zone_exclusivity == 0.5);
}

TEST_CASE("The resolved sweep reloads to the same sweep, run for run", "[sweep][resolved]") {
  for (const char* name : {"grid.yaml", "scenarios_with_failure.yaml", "monte_carlo.yaml",
                           "latin_hypercube.yaml", "sobol.yaml", "morris.yaml"}) {
    INFO(name);
    const SweepDefinition original = fixture_sweep(name);
    const std::string text = resolved_sweep_yaml(original);
    const SweepDefinition again = load_sweep_from_string(text, "resolved.yaml");
    REQUIRE(again.total_runs() == original.total_runs());
    CHECK(resolved_sweep_yaml(again) == text);
    CHECK(definition_hash(resolved_sweep_yaml(again)) == definition_hash(text));
    for (std::size_t run = 0; run < original.total_runs(); ++run) {
      std::size_t a_index = 0, b_index = 0;
      std::vector<double> a(original.parameters.size()), b(original.parameters.size());
      original.run_point(run, a_index, a.data());
      again.run_point(run, b_index, b.data());
      CHECK(a_index == b_index);
      CHECK(a == b);
    }
  }
}

TEST_CASE("Editing a sweep changes its definition hash", "[sweep][resolved]") {
  const SweepDefinition grid = fixture_sweep("grid.yaml");
  std::string text = resolved_sweep_yaml(grid);
  const std::string hash = definition_hash(text);
  text.replace(text.find("seed: 5"), 7, "seed: 6");
  CHECK(definition_hash(text) != hash);
}

#define BAD_SWEEP(fixture, ...)                                                                              \
  TEST_CASE("bad sweep " fixture, "[sweep][bad_sweep]") {                                                    \
    require_refused(fixture, __VA_ARGS__);                                                                   \
  }

BAD_SWEEP("unknown_top_key.yaml", 3, "desing", "did you mean 'design'")
BAD_SWEEP("missing_design.yaml", 2, "design", "required key is missing")
BAD_SWEEP("unknown_design_type.yaml", 4, "design.type", "unknown design 'factorial'")
BAD_SWEEP("unknown_parameter_path.yaml", 6, "design.parameters.actors.spacx.progress_ratio",
          "unknown actor 'spacx'")
BAD_SWEEP("unknown_parameter_key.yaml", 6, "design.parameters.actors.spacex.progres_ratio", "not sweepable")
BAD_SWEEP("grid_value_out_of_range.yaml", 7, "design.parameters.actors.spacex.progress_ratio",
          "axis value 1.2")
BAD_SWEEP("distribution_bound_out_of_range.yaml", 7, "design.parameters.legal.benefit_sharing_rate",
          "upper bound 1")
BAD_SWEEP("malformed_distribution.yaml", 7, "design.parameters.resources.pgm.elasticity.uniform",
          "expected 2 numbers")
BAD_SWEEP("bad_distribution_arguments.yaml", 7, "design.parameters.resources.pgm.elasticity.normal", "sd > 0")
BAD_SWEEP("unknown_distribution.yaml", 7, "design.parameters.resources.pgm.elasticity.gamma",
          "unknown distribution")
BAD_SWEEP("sobol_not_power_of_two.yaml", 5, "design.base_samples", "power of two")
BAD_SWEEP("morris_odd_levels.yaml", 6, "design.levels", "must be even")
BAD_SWEEP("morris_unbounded.yaml", 8, "design.parameters.resources.pgm.elasticity", "bounded distribution")
BAD_SWEEP("key_of_other_design.yaml", 5, "design.runs", "not a key of the grid design")
BAD_SWEEP("missing_runs.yaml", 4, "design.runs", "required by the monte_carlo design")
BAD_SWEEP("missing_scenario.yaml", 2, "scenario", "base scenario")
BAD_SWEEP("bad_scenario_value.yaml", 5, "actors.china.progress_ratio", "(0, 1]",
          "progress_ratio_above_one.yaml")
BAD_SWEEP("empty_axis.yaml", 6, "design.parameters.legal.property_security", "at least one value")
BAD_SWEEP("bad_linspace.yaml", 6, "design.parameters.legal.property_security.linspace",
          "[first, last, count]")
BAD_SWEEP("unknown_trajectory_variable.yaml", 8, "output.trajectories[1]", "did you mean 'price'")
BAD_SWEEP("schedule_event_out_of_range.yaml", 6, "design.parameters.schedule[30].year",
          "schedule[0] to schedule[7]")
BAD_SWEEP("duplicate_parameter.yaml", 7, "design.parameters.legal.property_security", "duplicate key")
BAD_SWEEP("negative_seed.yaml", 3, "seed", "whole number")
BAD_SWEEP("scenarios_mismatch.yaml", 3, "design.scenarios", "share one set")

namespace {
// A grid sweep over the short baseline with one parameter axis written as `axis`.
SweepDefinition grid_over(const std::string& path, const std::string& axis) {
  return load_sweep_from_string("scenario: short_baseline.yaml\ndesign:\n  type: grid\n  parameters:\n    " +
                                    path + ": " + axis + "\n",
                                DATA + "/sweeps/inline.yaml");
}
} // namespace

TEST_CASE("Axis values are written as the scenario file writes the parameter", "[sweep][parameters]") {
  // A number takes numbers only: `true` is not a property security.
  CHECK_THROWS_WITH(grid_over("legal.property_security", "[0.5, true]"),
                    Contains("design.parameters.legal.property_security[1]") && Contains("finite number"));
  // A boolean takes true/false (or 1/0, as a resolved sweep writes it back).
  const SweepDefinition launch = grid_over("legal.cross_bloc_launch", "[true, false, 1]");
  CHECK(launch.parameters[0].grid_values == std::vector<double>{1, 0, 1});
  CHECK_FALSE(launch.scenario_for_run(1).regime.cross_bloc_launch);
  CHECK_THROWS_WITH(grid_over("legal.cross_bloc_launch", "[0.5]"), Contains("true or false"));
  // A choice takes its words (or their index).
  const SweepDefinition scope = grid_over("legal.regime_scope", "[parties, universal, 1]");
  CHECK(scope.parameters[0].grid_values == std::vector<double>{0, 1, 1});
  CHECK(scope.scenario_for_run(1).regime.scope == RegimeScope::universal);
  CHECK_THROWS_WITH(grid_over("legal.regime_scope", "[everybody]"),
                    Contains("parties, universal") && Contains("legal.regime_scope[0]"));
  CHECK_THROWS_WITH(grid_over("legal.regime_scope", "[2]"), Contains("parties, universal"));
  // The resolved sweep writes them as numbers, and reads back the same axis.
  const SweepDefinition again =
      load_sweep_from_string(resolved_sweep_yaml(scope), DATA + "/sweeps/again.yaml");
  CHECK(again.parameters[0].grid_values == scope.parameters[0].grid_values);
}

TEST_CASE("Counts and seeds are numbers, not booleans", "[sweep][parameters]") {
  CHECK_THROWS_WITH(
      load_sweep_from_string("scenario: short_baseline.yaml\ndesign:\n  type: monte_carlo\n  runs: "
                             "true\n  parameters:\n    legal.property_security: {uniform: [0, 1]}\n",
                             DATA + "/sweeps/inline.yaml"),
      Contains("design.runs"));
  CHECK_THROWS_WITH(
      load_sweep_from_string("scenario: short_baseline.yaml\nseed: false\ndesign:\n  type: grid\n  "
                             "parameters:\n    legal.property_security: [0.5]\n",
                             DATA + "/sweeps/inline.yaml"),
      Contains("'seed'"));
}

TEST_CASE("A swept parameter's unit and meaning come from the parameter table", "[sweep][parameters]") {
  const SweepDefinition sweep = grid_over("resources.pgm.operations_mass", "[0, 0.1]");
  const ParameterPath& path = sweep.parameters[0].resolved.front();
  CHECK(path.units() == "1"); // resupply t/yr per t/yr of capacity: dimensionless
  CHECK_THAT(path.long_name(), Contains("resupply") && Contains("resource pgm"));
  CHECK(grid_over("actors.spacex.launch_cost", "[1, 2]").parameters[0].resolved.front().units() == "M$/t");
}
