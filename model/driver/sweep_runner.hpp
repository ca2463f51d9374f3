// Running a sweep on one machine: OpenMP over runs, results streamed to one
// results file in run order, bounded memory, ensemble statistics, progress,
// failure isolation, and resume after a kill. Apart from the model: it only
// calls simulate() on scenarios the SweepDefinition builds.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "core/results.hpp"
#include "driver/progress.hpp"
#include "scenario/sweep_file.hpp"

namespace arcm::driver {

struct SweepOptions {
  std::string output_path; //!< results file; empty = runs/<sweep name>.h5
  std::string runs_dir{"runs"};
  int threads{0};            //!< 0 = every core (omp_get_max_threads)
  bool resume{false};        //!< continue NAME.partial
  bool overwrite{false};     //!< replace an existing NAME (and start over from a stale NAME.partial): --force
  std::size_t batch_size{0}; //!< runs per write; 0 = the sweep's, else automatic
  ProgressReporter::Mode progress{ProgressReporter::Mode::automatic};
  //! Seconds between checkpoints of the ensemble state (a resumed sweep
  //! recomputes the runs after the last checkpoint). 0 = after every batch.
  double checkpoint_interval{10.0};
  // A contiguous sub-range of runs [first_run, end_run), for shards; end 0 = all.
  std::size_t first_run{0};
  std::size_t end_run{0};
  //! Shards: also store every ensemble variable in /trajectories, in float64,
  //! so that `arcm merge` can rebuild /ensemble in run order bit for bit.
  bool keep_ensemble_inputs{false};
  int processes{1}; //!< recorded in the file's `processes` attribute (shards, ranks)
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

//! The template of a run's results for a sweep: every variable, all NaN.
RunResults sweep_blank_results(const SweepDefinition& sweep);

//! Computes run `run` of a sweep as run_sweep() does; a failure (even one
//! before the integration starts) is recorded in the results, never thrown.
RunResults compute_sweep_run(const SweepDefinition& sweep, std::size_t run, const RunResults& blank);

//! The output side of run_sweep() without its OpenMP loop, for drivers whose
//! runs are computed elsewhere (MPI ranks) or read back from files (merge):
//! the same file, checkpoints, ensemble and resume checks. From one thread:
//! open(); then claim() runs, deliver() each claimed run (in any order) and
//! write_ready(); close() once every claimed run is delivered.
class SweepSession {
public:
  //! `sweep` must outlive the session.
  SweepSession(const SweepDefinition& sweep, const SweepOptions& options);
  ~SweepSession();
  SweepSession(const SweepSession&) = delete;
  SweepSession& operator=(const SweepSession&) = delete;

  //! Creates NAME.partial, or resumes it with options.resume. Throws as run_sweep().
  void open();
  //! The next runs to compute, [first, second), at most `count`; empty when
  //! every run is claimed, the reorder window is full (write first) or a stop
  //! was requested (request_sweep_stop()).
  std::pair<std::size_t, std::size_t> claim(std::size_t count);
  //! The results of a claimed run.
  void deliver(std::size_t run, RunResults&& results);
  //! Writes whole batches of the contiguous delivered runs (with checkpoints).
  void write_ready();
  //! Writes what is left and finishes the file, or leaves a resumable
  //! NAME.partial when runs are missing (interrupted).
  SweepOutcome close();

  std::size_t end_run() const;
  std::size_t batch_size() const;
  std::size_t written() const; //!< runs before this one are in the file
  const RunResults& blank() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

//! Run (or resume) a sweep. Throws ConfigError / IoError for problems found
//! before the first run (a resumed file of another sweep definition among them).
SweepOutcome run_sweep(const SweepDefinition& sweep, const SweepOptions& options);

} // namespace arcm::driver
