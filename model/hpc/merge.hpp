// `arcm merge`: shard files of one sweep -> the file one process would have
// written (datasets bit for bit), and `arcm status`: what is missing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "driver/sweep_runner.hpp"

namespace arcm::hpc {

struct MergeOptions {
  std::string output_path; //!< the merged file (required)
  bool resume{false};      //!< continue an interrupted merge (NAME.partial)
  bool overwrite{false};   //!< replace an existing output file (--force)
  driver::ProgressReporter::Mode progress{driver::ProgressReporter::Mode::automatic};
};

struct MergeOutcome {
  std::string output_path;
  std::size_t shards{0};
  std::size_t runs{0};
  std::size_t failed{0}; //!< failed runs carried over from the shards
  bool interrupted{false};
  double wall_seconds{0};
};

//! Checks that `shards` are finished shard files (written with --shard) of
//! one sweep definition and format version that together hold every run
//! exactly once, then writes `options.output_path` (through NAME.partial and
//! a rename) with the layout, run order, /ensemble and final /checkpoint of a
//! single-process sweep. Throws IoError naming the offending files and runs
//! otherwise (nothing is written then).
MergeOutcome merge_shards(const std::vector<std::string>& shards, const MergeOptions& options);

//! One results file as `arcm status` sees it.
struct FileStatus {
  std::string path;
  bool partial{false};         //!< NAME.partial: unfinished (resume it)
  std::string definition_hash; //!< "" when unreadable
  std::string sweep_name;
  std::size_t shard_index{0}, shard_count{0}; //!< from the file name; count 0 = not a shard
  std::size_t first_run{0}, end_run{0};       //!< the runs the file is meant to hold
  std::size_t ok{0}, failed{0}, kessler{0}, not_run{0};
  std::string error; //!< why the file could not be read ("" when it could)
};

//! What `arcm status` found for one sweep definition.
struct SweepStatus {
  std::string definition_hash;
  std::string sweep_name;
  std::size_t total_runs{0};
  std::size_t shard_count{0};               //!< 0 when no file is a shard
  std::vector<FileStatus> files;            //!< sorted by first run
  std::vector<std::size_t> missing_shards;  //!< shards without any file
  std::vector<std::size_t> resubmit_shards; //!< missing or unfinished: the --array= list
  std::size_t failed_runs{0};
  std::size_t missing_runs{0}; //!< runs in no file, or not_run in theirs
};

//! Reads every results file given (directories: every *.h5 and *.h5.partial
//! in them) and groups them by sweep definition.
std::vector<SweepStatus> sweep_status(const std::vector<std::string>& files_or_dirs);

//! The human-readable report `arcm status` prints.
std::string format_status(const std::vector<SweepStatus>& sweeps);

} // namespace arcm::hpc
