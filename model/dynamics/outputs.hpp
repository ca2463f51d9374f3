// Recording a run on its output grid (docs/model.md §3.12–§3.14): every
// variable of core/variables.hpp, and the per-run summary built from them.
#pragma once

#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/results.hpp"
#include "core/state.hpp"
#include "core/variables.hpp"
#include "dynamics/system.hpp"

namespace arcm {

struct CatalogEntry; // a variable's description and how to fill a row of it (outputs.cpp)

//! Output years t0 + j h, j = 0..n, with n = round((end − t0) / h).
std::vector<double> output_grid(const Scenario& scenario);

//! Buffers for every trajectory variable over the whole output grid,
//! allocated once; recording a time copies from the state and the system's
//! workspace. Times after a stop hold NaN.
class TrajectoryRecorder {
public:
  TrajectoryRecorder(const Scenario& scenario, const StateLayout& layout);
  ~TrajectoryRecorder();
  TrajectoryRecorder(const TrajectoryRecorder&) = delete;
  TrajectoryRecorder& operator=(const TrajectoryRecorder&) = delete;

  //! Record output row `row` from state `x`, with `system` the parameters in
  //! force at that time (its workspace is refreshed by evaluating it at x).
  void record(std::size_t row, double t, const StateVector& x, const ArcmSystem& system);

  //! Evaluate the derived outputs at `x` without storing a row (for the final
  //! state of a run that stopped between output times).
  void record_final(double t, const StateVector& x, const ArcmSystem& system);

  //! Assemble coordinates, trajectories (all, or the scenario's selection) and
  //! the summary into `results`. The trajectories are moved out: call once,
  //! at the end of the run.
  void finish(RunResults& results, double stop_time);

  const std::vector<double>& times() const { return times_; }

private:
  void write_row(double t, const StateVector& x, const ArcmSystem& system); // into slots_
  const Scenario& scenario_;
  StateLayout layout_;
  std::vector<double> times_;
  const std::vector<CatalogEntry>& entries_; // the process-wide catalog (outputs.cpp)
  std::vector<std::vector<double>> data_;    // per catalog entry, time-major
  std::vector<std::vector<double>> final_;   // per catalog entry, one row at the stop time
  std::vector<std::size_t> row_size_;
  std::vector<bool> recorded_;
  bool has_final_{false};
  double final_time_{0};
  mutable StateVector scratch_derivative_;
  std::vector<double*> slots_; // where write_row puts each variable's row
};

} // namespace arcm
