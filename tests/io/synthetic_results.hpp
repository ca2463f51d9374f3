// Synthetic RunResults for the io tests and the sample-file writer, so the
// results format can be exercised before the model produces real runs.
//
// Every stored value follows one formula that the Python compatibility test
// re-implements:  value = 1000 * run + 10 * variable_index + 0.25 * flat_index
// (variable_index counts trajectories and summary variables separately, in
// the order below; flat_index is the C-order index within one run). All such
// values are exact in float32 as well as float64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/results.hpp"

namespace arcm::test {

inline double synthetic_value(std::int64_t run, std::size_t variable_index, std::size_t flat_index) {
  return 1000.0 * static_cast<double>(run) + 10.0 * static_cast<double>(variable_index) +
         0.25 * static_cast<double>(flat_index);
}

//! A complete, successful run with index `run`: 11 yearly outputs, three
//! actors, two resources, two beneficiaries, two blocs, both kinds.
inline RunResults synthetic_run(std::int64_t run) {
  RunResults r;
  for (int year = 2030; year <= 2040; ++year) r.time.push_back(year);
  r.actor = {"nasa", "spacex", "cnsa"};
  r.resource = {"water", "platinum"};
  r.beneficiary = {"un_fund", "launch_states"};
  r.bloc = {"west", "east"};
  r.kind = {"state", "firm"};
  r.actor_kind = {"state", "firm", "state"};
  r.actor_bloc = {"west", "west", "east"};

  // name, long_name, units, dims (time first for trajectories)
  const std::vector<Variable> trajectory_specs = {
      {"capacity", "extraction capacity", "t/yr", {"time", "actor", "resource"}, {}},
      {"launch_experience", "cumulative launched mass", "t", {"time", "actor"}, {}},
      {"stock", "remaining accessible stock", "t", {"time", "resource"}, {}},
      {"receipts", "cumulative royalty receipts", "M$", {"time", "beneficiary"}, {}},
      {"debris", "tracked debris objects", "count", {"time"}, {}},
      {"cumulative_share_by_kind",
       "cumulative extraction share by actor kind",
       "1",
       {"time", "kind", "resource"},
       {}},
      {"cumulative_share_by_bloc",
       "cumulative extraction share by bloc",
       "1",
       {"time", "bloc", "resource"},
       {}},
  };
  const std::vector<Variable> summary_specs = {
      {"final_npv", "net present value at the end of the run", "M$", {"actor"}, {}},
      {"total_extracted", "total mass extracted", "t", {"resource"}, {}},
      {"final_debris", "debris objects at the end of the run", "count", {}, {}},
      {"share_by_bloc", "extraction share by bloc over the run", "1", {"bloc", "resource"}, {}},
  };
  auto fill = [&](std::vector<Variable> specs) {
    for (std::size_t v = 0; v < specs.size(); ++v) {
      std::size_t size = 1;
      for (const std::string& dim : specs[v].dims) size *= r.dim_length(dim);
      for (std::size_t i = 0; i < size; ++i) specs[v].data.push_back(synthetic_value(run, v, i));
    }
    return specs;
  };
  r.trajectories = fill(trajectory_specs);
  r.summary = fill(summary_specs);
  r.status = RunStatus::ok;
  r.stop_time = 2040;
  r.wall_seconds = 0.5 + 0.125 * static_cast<double>(run);
  r.rhs_evaluations = 1000 + run;
  r.accepted_steps = 100 + run;
  r.rejected_steps = run;
  return r;
}

//! A run that failed before producing any output.
inline RunResults synthetic_failed_run(std::int64_t run) {
  RunResults r = synthetic_run(run);
  r.trajectories.clear();
  r.summary.clear();
  r.status = RunStatus::failed;
  r.message = "synthetic failure: non-finite state at t=2030";
  r.stop_time = 2030;
  return r;
}

//! A run stopped by a Kessler cascade after `kept_years` output years: its
//! trajectories hold only that prefix of the time axis.
inline RunResults synthetic_stopped_run(std::int64_t run, std::size_t kept_years) {
  RunResults r = synthetic_run(run);
  r.time.resize(kept_years);
  for (Variable& v : r.trajectories) v.data.resize(v.data.size() / 11 * kept_years);
  r.status = RunStatus::kessler;
  r.message = "Kessler cascade";
  r.stop_time = 2030 + static_cast<double>(kept_years) - 1;
  return r;
}

} // namespace arcm::test
