// Running a sweep on one machine: OpenMP over runs, results streamed to one
// results file in run order, bounded memory, ensemble statistics, progress,
// failure isolation, and resume after a kill. Apart from the model: it only
// calls simulate() on scenarios the SweepDefinition builds.
#pragma once

#include <cstddef>
#include <string>

#include "driver/progress.hpp"
#include "driver/sweep_file.hpp"

namespace arcm::driver {

struct SweepOptions {
  std::string output_path; //!< results file; empty = runs/<sweep name>.h5
  std::string runs_dir{"runs"};
  int threads{0};            //!< 0 = every core (omp_get_max_threads)
  bool resume{false};        //!< continue NAME.partial
  std::size_t batch_size{0}; //!< runs per write; 0 = the sweep's, else automatic
  ProgressReporter::Mode progress{ProgressReporter::Mode::automatic};
  //! Seconds between checkpoints of the ensemble state (a resumed sweep
  //! recomputes the runs after the last checkpoint). 0 = after every batch.
  double checkpoint_interval{10.0};
  // A contiguous sub-range of runs [first_run, end_run), for shards; end 0 = all.
  std::size_t first_run{0};
  std::size_t end_run{0};
};

struct SweepOutcome {
  std::string output_path;
  std::size_t total_runs{0}; //!< runs in this file's range
  std::size_t done{0};       //!< runs written (including those of earlier sessions when resuming)
  std::size_t ok{0}, failed{0}, kessler{0}; //!< over the runs computed in this session
  bool interrupted{false};                  //!< stopped by a signal; NAME.partial can be resumed
  double wall_seconds{0};
  int threads{1};
};

//! What --retry-failed did.
struct RetryOutcome {
  std::string path;
  std::size_t failed_before{0}; //!< failed runs found in the file
  std::size_t recovered{0};     //!< now ok (or stopped by Kessler)
  std::size_t still_failed{0};  //!< failed again with every retry setting
  double wall_seconds{0};
  int threads{1};
};

//! Rerun the failed runs of a finished sweep file: first with tolerances a
//! hundred times tighter and ten times the step limit, then, for runs that
//! still fail, with the Bulirsch-Stoer stepper at those settings. Each retried
//! run's /runs/message says which settings it got. Runs that now succeed
//! join /ensemble (added after the others, in run order). The file is updated
//! through a copy, so it is never left half-changed.
RetryOutcome retry_failed_runs(const std::string& results_path, const SweepOptions& options);

//! Ask a running sweep to stop at the next opportunity, leaving a resumable
//! file (async-signal-safe: only sets a flag).
void request_sweep_stop();
bool sweep_stop_requested();

//! Run (or resume) a sweep. Throws ConfigError / IoError for problems found
//! before the first run (a resumed file of another sweep definition among them).
SweepOutcome run_sweep(const SweepDefinition& sweep, const SweepOptions& options);

} // namespace arcm::driver
