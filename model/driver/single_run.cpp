#include "driver/single_run.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "core/errors.hpp"
#include "driver/output_file.hpp"
#include "dynamics/integrate.hpp"
#include "io/results_file.hpp"
#include "scenario/loader.hpp"
#include "scenario/sweep_file.hpp"

namespace arcm::driver {

namespace {

const Variable& summary_variable(const RunResults& r, const std::string& name) {
  const Variable* v = r.find(name);
  if (v == nullptr) throw Error("run results lack '" + name + "'");
  return *v;
}

std::string fixed(double value, int digits) {
  if (std::isnan(value)) return "n/a";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << value;
  return s.str();
}

} // namespace

std::string utc_timestamp_for_filename() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

SingleRunOutcome run_scenario_file(const SingleRunOptions& options) {
  SingleRunOutcome outcome;
  outcome.scenario = load_scenario(options.scenario_path);
  const Scenario& scenario = outcome.scenario;

  outcome.output_path = options.output_path;
  if (outcome.output_path.empty()) {
    std::filesystem::create_directories(options.runs_dir);
    outcome.output_path = (std::filesystem::path(options.runs_dir) /
                           (scenario.name + "-" + utc_timestamp_for_filename() + ".h5"))
                              .string();
  }
  // Fail on an unwritable or taken destination before spending time on the run.
  refuse_existing_output(outcome.output_path, options.overwrite);
  const auto parent = std::filesystem::path(outcome.output_path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
    throw IoError("cannot write " + outcome.output_path + ": directory " + parent.string() +
                  " does not exist");

  outcome.results = simulate(scenario);

  io::Provenance provenance = io::Provenance::of_this_build();
  provenance.resolved_yaml = to_yaml(scenario);
  provenance.yaml_kind = "scenario";
  const bool store = scenario.output.all_variables || !scenario.output.variables.empty();
  io::write_single_run(outcome.output_path, outcome.results, provenance, 0, store,
                       scenario.output.all_variables ? std::vector<std::string>{} : scenario.output.variables,
                       scenario.output.single_precision ? io::Precision::float32 : io::Precision::float64,
                       scenario.output.compress);
  return outcome;
}

SingleRunOutcome rerun_from_results(const std::string& results_path, std::size_t run,
                                    const SingleRunOptions& options) {
  const io::ResultsFileReader reader(results_path);
  const io::Provenance& provenance = reader.info().provenance;
  SingleRunOutcome outcome;
  const std::string origin = results_path + "#resolved_yaml";
  if (provenance.yaml_kind == "sweep") {
    const SweepDefinition sweep = load_sweep_from_string(provenance.resolved_yaml, origin);
    if (run >= sweep.total_runs())
      throw Error("the sweep in " + results_path + " has runs 0 to " +
                  std::to_string(sweep.total_runs() - 1) + ", not " + std::to_string(run));
    outcome.scenario = sweep.scenario_for_run(run);
    outcome.scenario.integrator.wall_time_limit = sweep.run_time_limit;
    outcome.scenario.name = sweep.name + "-run" + std::to_string(run);
  } else {
    if (run != 0) throw Error(results_path + " holds a single run: only --run 0 exists");
    outcome.scenario = load_scenario_from_string(provenance.resolved_yaml, origin);
  }
  outcome.scenario.output.all_variables = true;
  outcome.output_path = options.output_path;
  if (outcome.output_path.empty()) {
    std::filesystem::create_directories(options.runs_dir);
    outcome.output_path = (std::filesystem::path(options.runs_dir) /
                           (outcome.scenario.name + "-" + utc_timestamp_for_filename() + ".h5"))
                              .string();
  }
  refuse_existing_output(outcome.output_path, options.overwrite);
  outcome.results = simulate(outcome.scenario);
  io::Provenance out = io::Provenance::of_this_build();
  out.resolved_yaml = to_yaml(outcome.scenario);
  out.yaml_kind = "scenario";
  out.master_seed = provenance.master_seed;
  io::write_single_run(outcome.output_path, outcome.results, out, 0, true);
  return outcome;
}

std::string format_run_summary(const Scenario& scenario, const RunResults& r) {
  std::ostringstream out;
  out << "scenario " << scenario.name << ": " << to_string(r.status);
  if (!r.message.empty()) out << " (" << r.message << ")";
  out << "\n";
  const std::size_t m = scenario.n_resources();
  const Variable& price = summary_variable(r, "price_final");
  const Variable& state_share = summary_variable(r, "state_share_cumulative_final");
  const Variable& bloc_share = summary_variable(r, "bloc_share_cumulative_final");
  const Variable& extracted = summary_variable(r, "extracted_total_final");
  const Variable& overtake = summary_variable(r, "firm_overtake_year");
  out << "at " << fixed(r.stop_time, 1) << ":\n";
  out << "  resource      price [M$/t]   extracted [t]   states  firms";
  for (const auto& bloc : scenario.blocs) out << "  " << std::setw(8) << bloc;
  out << "   firms lead from\n";
  for (std::size_t k = 0; k < m; ++k) {
    const bool any = extracted.data[k] > 0.0;
    out << "  " << std::left << std::setw(12) << scenario.resources[k].id << std::right << std::setw(14)
        << fixed(price.data[k], 3) << std::setw(16) << fixed(extracted.data[k], 0) << std::setw(8)
        << (any ? fixed(100 * state_share.data[k], 1) + "%" : "-") << std::setw(7)
        << (any ? fixed(100 * (1 - state_share.data[k]), 1) + "%" : "-");
    for (std::size_t b = 0; b < scenario.blocs.size(); ++b)
      out << "  " << std::setw(8) << (any ? fixed(100 * bloc_share.data[b * m + k], 1) + "%" : "-");
    out << std::setw(18) << (std::isnan(overtake.data[k]) ? std::string("never") : fixed(overtake.data[k], 0))
        << "\n";
  }
  // Say what the share columns are: shares of what was extracted in the whole run, not of
  // the final year's output (a reader of the table asked).
  out << "  (states, firms";
  for (const auto& bloc : scenario.blocs) out << ", " << bloc;
  out << ": shares of cumulative extraction to " << fixed(r.stop_time, 0)
      << ";\n   firms lead from: the first year firms out-extract states)\n";
  out << "  tension " << fixed(summary_variable(r, "tension_final").data[0], 3) << " (peak "
      << fixed(summary_variable(r, "tension_peak").data[0], 3) << "), debris "
      << fixed(summary_variable(r, "debris_final").data[0], 0) << " objects, Gini of gains "
      << fixed(summary_variable(r, "gini_final").data[0], 3) << "\n";
  out << "  wall time " << fixed(r.wall_seconds * 1e3, 2) << " ms, " << r.rhs_evaluations
      << " right-hand-side evaluations, " << r.accepted_steps << " accepted and " << r.rejected_steps
      << " rejected steps\n";
  if (r.foresight_iterations > 0)
    out << "  perfect foresight: " << r.foresight_iterations << " iterations, scaled residual "
        << std::setprecision(2) << std::scientific << r.foresight_residual << std::defaultfloat << "\n";
  return out.str();
}

} // namespace arcm::driver
