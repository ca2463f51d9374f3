#include "dynamics/foresight.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "dynamics/fixed_point.hpp"
#include "dynamics/integrate.hpp"

namespace arcm {

namespace {

// The counts of every run the fixed point takes.
struct Totals {
  long rhs_evaluations{0}, accepted_steps{0}, rejected_steps{0};
  void add(const RunResults& r) {
    rhs_evaluations += r.rhs_evaluations;
    accepted_steps += r.accepted_steps;
    // Bulirsch–Stoer does not count its rejections (−1): neither does the total.
    rejected_steps = (rejected_steps < 0 || r.rejected_steps < 0) ? -1 : rejected_steps + r.rejected_steps;
  }
  void into(RunResults& r) const {
    r.rhs_evaluations = rhs_evaluations;
    r.accepted_steps = accepted_steps;
    r.rejected_steps = rejected_steps;
  }
};

std::string show(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// The scale each number of the expected path is measured against, per
// series and resource: the exhaustion discount z against 1, rents and choke
// margins against the resource's reference price,
// values of a plant against its hardware cost, annuities against a year; or
// the series' largest magnitude for that resource where it is larger. So a
// rent that moves by 1e-6 of the price it competes with has converged to
// 1e-6, however small the rent itself.
std::vector<double> path_scales(const Scenario& sc, const ExpectedPath& path, const std::vector<double>& x) {
  const std::size_t m = sc.n_resources();
  const std::vector<std::size_t> at = path.blocks();
  std::vector<double> scale(x.size(), 1.0); // z: a discount factor, on its own scale
  // Parts 1.. hold one value per plant (per node); ik mod M is the resource.
  for (std::size_t b = 1; b + 1 < at.size(); ++b)
    for (std::size_t k = 0; k < m; ++k) {
      const Resource& r = sc.resources[k];
      double largest = b <= 2 ? r.reference_price : (b == 3 || b == 5) ? r.hardware_cost : 1.0;
      for (std::size_t c = at[b]; c < at[b + 1]; ++c)
        if ((c - at[b]) % path.plants % m == k) largest = std::max(largest, std::fabs(x[c]));
      for (std::size_t c = at[b]; c < at[b + 1]; ++c)
        if ((c - at[b]) % path.plants % m == k) scale[c] = largest;
    }
  return scale;
}

// A run that ends without results: every value NaN, status failed.
RunResults failed_run(const Scenario& scenario, const std::string& why, const Totals& totals, long iterations,
                      double residual, std::chrono::steady_clock::time_point started) {
  RunResults results = blank_results(scenario);
  results.status = RunStatus::failed;
  results.message = why;
  totals.into(results);
  results.foresight_iterations = iterations;
  results.foresight_residual = residual;
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return results;
}

// Keep only the trajectories the scenario asks for.
void select_outputs(const Scenario& scenario, RunResults& results) {
  if (scenario.output.all_variables) return;
  const auto& wanted = scenario.output.variables;
  auto& t = results.trajectories;
  t.erase(std::remove_if(t.begin(), t.end(),
                         [&](const Variable& v) {
                           return std::find(wanted.begin(), wanted.end(), v.name) == wanted.end();
                         }),
          t.end());
}

} // namespace

RunResults solve_perfect_foresight(const Scenario& scenario, const RunWithExpectations& run) {
  const auto started = std::chrono::steady_clock::now();
  const Economy& econ = scenario.economy;
  // Every iteration is recorded on the grid of the expected path, with every variable.
  Scenario on_grid = scenario;
  on_grid.output.step = std::isnan(econ.foresight_step) ? scenario.output.step : econ.foresight_step;
  on_grid.output.all_variables = true;
  on_grid.output.variables.clear();
  const bool same_grid = on_grid.output.step == scenario.output.step;
  Scenario myopic = on_grid;
  myopic.economy.expectations = Expectations::myopic;

  Totals totals;
  const RunResults first = run(myopic, nullptr, started);
  totals.add(first);
  if (first.status == RunStatus::failed)
    return failed_run(scenario, "perfect foresight: the myopic run that starts it failed: " + first.message,
                      totals, 0, NAN, started);

  ExpectedPath path = expected_path_from(scenario, first, nullptr);
  std::vector<double> x = path.pack();
  const std::vector<double> scale = path_scales(scenario, path, x);
  const std::vector<std::size_t> blocks = path.blocks();

  RunResults last;
  const FixedPointMap map = [&](const std::vector<double>& at, std::vector<double>& next, std::string& why) {
    path.unpack(at);
    RunResults realised = run(on_grid, &path, started);
    totals.add(realised);
    if (realised.status == RunStatus::failed) {
      why = realised.message;
      return false;
    }
    next = expected_path_from(scenario, realised, &path).pack();
    last = std::move(realised);
    return true;
  };
  // z is a discount factor in [0, 1]; margins, rents and annuities cannot be
  // negative. An accelerated step may overshoot.
  const FixedPointProjection project = [&](std::vector<double>& at) {
    for (std::size_t c = blocks[0]; c < blocks[1]; ++c) at[c] = std::clamp(at[c], 0.0, 1.0);
    for (std::size_t b : {1, 2, 4, 6})
      for (std::size_t c = blocks[b]; c < blocks[b + 1]; ++c) at[c] = std::max(0.0, at[c]);
  };
  FixedPointSettings settings;
  settings.tolerance = econ.foresight_tolerance;
  settings.max_iterations = econ.foresight_max_iterations;
  settings.damping = econ.foresight_damping;
  settings.memory = econ.foresight_memory;
  // The rents (z, m, λ^γ) converge component by component; the values of a
  // plant by their root-mean-square change per series, because a player on
  // the edge of the money has an output, and so a margin, that moves by
  // thousands of times any change of its cost (§3.15, "Convergence").
  const FixedPointNorm norm = [&](const std::vector<double>& scaled) {
    double largest = 0.0;
    for (std::size_t c = blocks[0]; c < blocks[3]; ++c) largest = std::max(largest, std::fabs(scaled[c]));
    for (std::size_t b = 3; b + 1 < blocks.size(); ++b) {
      double squares = 0.0;
      for (std::size_t c = blocks[b]; c < blocks[b + 1]; ++c) squares += scaled[c] * scaled[c];
      const auto count = static_cast<double>(blocks[b + 1] - blocks[b]);
      if (count > 0) largest = std::max(largest, std::sqrt(squares / count));
    }
    return largest;
  };
  const FixedPointOutcome outcome = solve_fixed_point(x, scale, map, project, settings, norm);

  if (!outcome.failure.empty())
    return failed_run(scenario,
                      "perfect foresight: iteration " + std::to_string(outcome.iterations) + ": " +
                          outcome.failure,
                      totals, outcome.iterations, outcome.residual, started);
  if (!outcome.converged)
    return failed_run(
        scenario,
        "perfect foresight did not converge: the expected path still moved by " + show(outcome.residual) +
            " (scaled) after " + std::to_string(outcome.iterations) +
            " iterations, above economy.foresight_tolerance = " + show(econ.foresight_tolerance) +
            "; raise economy.foresight_max_iterations or lower economy.foresight_damping",
        totals, outcome.iterations, outcome.residual, started);

  // The last run is the one at the fixed point; on another output grid it is run again there.
  path.unpack(x);
  RunResults results;
  if (same_grid) {
    results = std::move(last);
    select_outputs(scenario, results);
  } else {
    results = run(scenario, &path, started);
    totals.add(results);
  }
  totals.into(results);
  results.foresight_iterations = outcome.iterations;
  results.foresight_residual = outcome.residual;
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return results;
}

} // namespace arcm
