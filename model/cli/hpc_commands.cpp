// `arcm merge` and `arcm status`: the job-array side of running on a cluster.
#include <iostream>

#include "cli/commands.hpp"
#include "driver/progress.hpp"
#include "hpc/merge.hpp"

namespace arcm::cli {

int command_merge(const Arguments& args) {
  hpc::MergeOptions options;
  std::vector<std::string> shards;
  for (std::size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    if (arg == "-o" || arg == "--output") {
      if (a + 1 >= args.size()) throw UsageError(arg + " needs a file name");
      options.output_path = args[++a];
    } else if (arg == "--resume") {
      options.resume = true;
    } else if (arg == "--force" || arg == "--overwrite") {
      options.overwrite = true;
    } else if (arg == "-q" || arg == "--quiet") {
      options.progress = driver::ProgressReporter::Mode::quiet;
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError("unknown option " + arg + " for 'arcm merge'");
    } else {
      shards.push_back(arg);
    }
  }
  if (shards.empty()) throw UsageError("'arcm merge' needs the shard files");
  if (options.output_path.empty()) throw UsageError("'arcm merge' needs -o FILE.h5");
  install_stop_handlers();
  const hpc::MergeOutcome outcome = hpc::merge_shards(shards, options);
  if (outcome.interrupted) {
    std::cerr << "merge interrupted: continue with --resume\n";
    return EXIT_INTERRUPTED;
  }
  // --quiet prints nothing but errors (and the interruption above, on stderr).
  if (options.progress != driver::ProgressReporter::Mode::quiet)
    std::cout << "merged " << outcome.shards << " shards, " << outcome.runs << " runs (" << outcome.failed
              << " failed), in " << driver::format_duration(outcome.wall_seconds) << " into "
              << outcome.output_path << "\n";
  return EXIT_OK;
}

int command_status(const Arguments& args) {
  std::vector<std::string> items;
  for (const std::string& arg : args) {
    if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg + " for 'arcm status'");
    items.push_back(arg);
  }
  if (items.empty()) throw UsageError("'arcm status' needs results files or a directory");
  const std::vector<hpc::SweepStatus> sweeps = hpc::sweep_status(items);
  if (sweeps.empty()) {
    std::cout << "no results files found\n";
    return EXIT_RUN_FAILED;
  }
  std::cout << hpc::format_status(sweeps);
  for (const hpc::SweepStatus& sweep : sweeps)
    if (sweep.definition_hash.empty() || sweep.missing_runs > 0 || sweep.failed_runs > 0)
      return EXIT_RUN_FAILED;
  return EXIT_OK;
}

} // namespace arcm::cli
