// One scenario, one results file: what `arcm run` does, apart from the
// command line.
#pragma once

#include <string>

#include "core/params.hpp"
#include "core/results.hpp"

namespace arcm::driver {

struct SingleRunOptions {
  std::string scenario_path; //!< scenario YAML file
  std::string output_path;   //!< results file; empty = <runs_dir>/<name>-<UTC timestamp>.h5
  std::string runs_dir{"runs"};
  bool overwrite{false}; //!< replace an existing output file (--force)
};

struct SingleRunOutcome {
  Scenario scenario;
  RunResults results;
  std::string output_path; //!< where the results file was written
};

//! Load, validate, simulate and write. Throws ConfigError for a bad scenario
//! (before anything is written) and IoError when the file cannot be written.
SingleRunOutcome run_scenario_file(const SingleRunOptions& options);

//! Repeat run `run` of the sweep (or single run) stored in results file
//! `results_path`, from the fully resolved definition inside it, and write it
//! as a single-run file (options.output_path, or runs/<name>-run<N>-<UTC>.h5).
//! The trajectories equal those of run `run` in the original file, bit for bit.
SingleRunOutcome rerun_from_results(const std::string& results_path, std::size_t run,
                                    const SingleRunOptions& options);

//! The short human summary `arcm run` prints: final prices, the division of
//! each resource between states and firms and between blocs, tension, debris,
//! wall time and right-hand-side evaluations.
std::string format_run_summary(const Scenario& scenario, const RunResults& results);

//! "2026-11-30T04-21-13Z": a UTC timestamp safe in file names.
std::string utc_timestamp_for_filename();

} // namespace arcm::driver
