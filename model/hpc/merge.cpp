#include "hpc/merge.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/errors.hpp"
#include "hpc/shard.hpp"
#include "io/results_file.hpp"
#include "scenario/sweep_file.hpp"

namespace arcm::hpc {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string run_span(std::size_t first, std::size_t end) {
  return end == first + 1 ? "run " + std::to_string(first)
                          : "runs " + std::to_string(first) + ".." + std::to_string(end - 1);
}

// One shard file, opened for the whole merge.
struct Shard {
  std::string path;
  io::ResultsFileReader reader;
  std::size_t first{0}, end{0}; // its runs [first, end)
};

// Names of the trajectory variables the sweep keeps ensemble statistics of.
std::vector<std::string> ensemble_names(const SweepDefinition& sweep, const RunResults& blank) {
  std::vector<std::string> names;
  for (const Variable& var : blank.trajectories)
    if (sweep.output.all_ensemble || std::find(sweep.output.ensemble.begin(), sweep.output.ensemble.end(),
                                               var.name) != sweep.output.ensemble.end())
      names.push_back(var.name);
  return names;
}

// Rows [row, row + count) of `variables` from one group of a shard into the
// matching variables of `runs` (which were copied from the blank results).
void copy_rows(const Shard& shard, const std::string& group, const std::vector<std::string>& present,
               std::size_t row, std::size_t count, std::vector<RunResults>& runs,
               std::vector<Variable> RunResults::*member) {
  if (runs.empty()) return;
  std::vector<Variable>& first = runs.front().*member;
  for (std::size_t v = 0; v < first.size(); ++v) {
    if (std::find(present.begin(), present.end(), first[v].name) == present.end()) continue;
    const io::NumericArray rows = shard.reader.read_numeric(group, first[v].name, row, count);
    const std::size_t size = first[v].data.size();
    if (rows.values.size() != size * count)
      throw IoError(shard.path + ": /" + group + "/" + first[v].name +
                    " does not have the shape of this sweep");
    for (std::size_t r = 0; r < count; ++r) {
      std::vector<double>& data = (runs[r].*member)[v].data;
      std::copy(rows.values.begin() + static_cast<std::ptrdiff_t>(r * size),
                rows.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * size), data.begin());
    }
  }
}

// The runs [first, first + count) of one shard as the sweep computed them.
std::vector<RunResults> read_runs(const Shard& shard, std::size_t first, std::size_t count,
                                  const RunResults& blank) {
  std::vector<RunResults> runs(count, blank);
  const std::size_t row = first - shard.first;
  const io::ResultsFileInfo& info = shard.reader.info();
  copy_rows(shard, "trajectories", info.trajectory_variables, row, count, runs, &RunResults::trajectories);
  copy_rows(shard, "summary", info.summary_variables, row, count, runs, &RunResults::summary);
  const auto column = [&](const char* name) {
    return shard.reader.read_numeric("runs", name, row, count).values;
  };
  const std::vector<double> status = column("status"), stop_time = column("stop_time"),
                            wall = column("wall_seconds"), rhs = column("rhs_evaluations"),
                            accepted = column("accepted_steps"), rejected = column("rejected_steps"),
                            iterations = column("foresight_iterations"),
                            residual = column("foresight_residual");
  const std::vector<std::string> messages = shard.reader.read_strings("runs", "message", row, count);
  for (std::size_t r = 0; r < count; ++r) {
    RunResults& run = runs[r];
    run.status = static_cast<RunStatus>(static_cast<std::int8_t>(status[r]));
    run.message = messages.at(r);
    run.stop_time = stop_time[r];
    run.wall_seconds = wall[r];
    run.rhs_evaluations = static_cast<long>(rhs[r]);
    run.accepted_steps = static_cast<long>(accepted[r]);
    run.rejected_steps = static_cast<long>(rejected[r]);
    run.foresight_iterations = static_cast<long>(iterations[r]);
    run.foresight_residual = residual[r];
  }
  return runs;
}

// Opens the shards and refuses any set that is not exactly one sweep's runs.
std::vector<Shard> open_shards(const std::vector<std::string>& paths, std::string& resolved_yaml) {
  if (paths.empty()) throw IoError("arcm merge needs at least one shard file");
  std::vector<Shard> shards;
  for (const std::string& path : paths) {
    if (ends_with(path, ".partial"))
      throw IoError(path + " is an unfinished shard: finish it first (arcm sweep ... --shard I/N --resume)");
    Shard shard{path, io::ResultsFileReader(path), 0, 0};
    const io::ResultsFileInfo& info = shard.reader.info();
    if (info.provenance.yaml_kind != "sweep")
      throw IoError(path + " is a single run, not a shard of a sweep");
    if (info.run_count > 0) {
      shard.first = static_cast<std::size_t>(shard.reader.read_numeric("runs", "run", 0, 1).values.at(0));
      shard.end = shard.first + info.run_count;
    }
    shards.push_back(std::move(shard));
  }
  const Shard& reference = shards.front();
  const io::ResultsFileInfo& ref = reference.reader.info();
  for (const Shard& shard : shards) {
    const io::ResultsFileInfo& info = shard.reader.info();
    if (info.provenance.definition_hash != ref.provenance.definition_hash)
      throw IoError("cannot merge " + shard.path + " with " + reference.path +
                    ": they are shards of different sweep definitions (definition_hash " +
                    info.provenance.definition_hash + " vs " + ref.provenance.definition_hash + ")");
    if (info.format_major != ref.format_major || info.format_minor != ref.format_minor)
      throw IoError("cannot merge " + shard.path + " with " + reference.path + ": results format " +
                    std::to_string(info.format_major) + "." + std::to_string(info.format_minor) + " vs " +
                    std::to_string(ref.format_major) + "." + std::to_string(ref.format_minor));
  }
  std::sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) {
    return a.first != b.first ? a.first < b.first : a.end < b.end;
  });
  const auto total = static_cast<std::size_t>(ref.provenance.total_runs);
  std::size_t covered = 0;
  std::vector<std::string> problems;
  const Shard* previous = nullptr;
  for (const Shard& shard : shards) {
    if (shard.end == shard.first) {
      problems.push_back(shard.path + " holds no runs");
      continue;
    }
    if (shard.first < covered)
      problems.push_back(run_span(shard.first, std::min(covered, shard.end)) + " are in both " +
                         (previous ? previous->path : std::string("?")) + " and " + shard.path +
                         " (a duplicated or overlapping shard)");
    else if (shard.first > covered)
      problems.push_back(run_span(covered, shard.first) + " are in no shard (missing before " + shard.path +
                         ")");
    covered = std::max(covered, shard.end);
    previous = &shard;
  }
  if (covered < total) problems.push_back(run_span(covered, total) + " are in no shard (missing at the end)");
  for (const Shard& shard : shards) {
    const std::vector<RunStatus> status = shard.reader.run_status();
    const auto not_run =
        static_cast<std::size_t>(std::count(status.begin(), status.end(), RunStatus::not_run));
    if (not_run > 0)
      problems.push_back(shard.path + " has " + std::to_string(not_run) +
                         " runs that were never written (an unfinished shard)");
  }
  if (!problems.empty()) {
    std::string text = "refusing to merge " + std::to_string(shards.size()) + " shard files of " +
                       std::to_string(total) + " runs:";
    for (const std::string& problem : problems) text += "\n  " + problem;
    throw IoError(text);
  }
  resolved_yaml = ref.provenance.resolved_yaml;
  return shards;
}

} // namespace

MergeOutcome merge_shards(const std::vector<std::string>& paths, const MergeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.output_path.empty()) throw IoError("arcm merge needs an output file (-o FILE.h5)");
  std::string resolved;
  const std::vector<Shard> shards = open_shards(paths, resolved);
  const SweepDefinition sweep = load_sweep_from_string(resolved, shards.front().path + "#resolved_yaml");

  driver::SweepOptions sweep_options;
  sweep_options.output_path = options.output_path;
  sweep_options.resume = options.resume;
  sweep_options.overwrite = options.overwrite;
  sweep_options.progress = options.progress;
  sweep_options.processes = static_cast<int>(shards.size());
  sweep_options.threads = 1;
  for (const Shard& shard : shards)
    sweep_options.threads =
        std::max(sweep_options.threads, static_cast<int>(shard.reader.info().provenance.threads));
  driver::SweepSession session(sweep, sweep_options);

  // Each shard must hold every ensemble variable in float64 (--shard does).
  const std::vector<std::string> needed = ensemble_names(sweep, session.blank());
  for (const Shard& shard : shards) {
    const io::ResultsFileInfo& info = shard.reader.info();
    std::vector<std::string> lacking;
    for (const std::string& name : needed)
      if (std::find(info.trajectory_variables.begin(), info.trajectory_variables.end(), name) ==
          info.trajectory_variables.end())
        lacking.push_back(name);
    if (!needed.empty() && (!lacking.empty() || info.trajectory_precision != io::Precision::float64))
      throw IoError(shard.path +
                    " was not written with --shard: /trajectories lacks float64 copies of the "
                    "ensemble variables" +
                    (lacking.empty() ? std::string() : " (" + lacking.front() + ", ...)") +
                    ", so /ensemble could not be rebuilt in run order");
  }

  session.open();
  MergeOutcome outcome;
  outcome.output_path = options.output_path;
  outcome.shards = shards.size();
  std::size_t index = 0;
  while (true) {
    const auto [first, end] = session.claim(session.batch_size());
    if (first == end) break;
    for (std::size_t run = first; run < end;) {
      while (shards[index].end <= run) ++index;
      const Shard& shard = shards[index];
      const std::size_t stop = std::min(end, shard.end);
      std::vector<RunResults> runs = read_runs(shard, run, stop - run, session.blank());
      for (std::size_t r = 0; r < runs.size(); ++r) {
        if (runs[r].status == RunStatus::failed) ++outcome.failed;
        session.deliver(run + r, std::move(runs[r]));
      }
      run = stop;
    }
    session.write_ready();
  }
  const driver::SweepOutcome written = session.close();
  outcome.runs = written.done;
  outcome.interrupted = written.interrupted;
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

} // namespace arcm::hpc
