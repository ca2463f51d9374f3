// `arcm status`: which runs and shards of a sweep are missing or failed.
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/errors.hpp"
#include "hpc/merge.hpp"
#include "hpc/shard.hpp"
#include "io/results_file.hpp"

namespace arcm::hpc {

namespace {

bool is_results_name(const std::string& name) {
  const auto ends = [&](const std::string& suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".h5") || ends(".h5.partial");
}

// The sweep's name from its resolved YAML (the line "name: ...").
std::string sweep_name_of(const std::string& resolved_yaml) {
  std::istringstream lines(resolved_yaml);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind("name: ", 0) == 0) {
      std::string name = line.substr(6);
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
        name = name.substr(1, name.size() - 2);
      return name;
    }
  return "";
}

FileStatus read_file_status(const std::string& path, std::size_t& total_runs) {
  FileStatus file;
  file.path = path;
  file.partial = path.size() > 8 && path.compare(path.size() - 8, 8, ".partial") == 0;
  try {
    const io::ResultsFileReader reader(path);
    const io::ResultsFileInfo& info = reader.info();
    file.definition_hash = info.provenance.definition_hash;
    file.sweep_name = sweep_name_of(info.provenance.resolved_yaml);
    total_runs = static_cast<std::size_t>(std::max<std::int64_t>(info.provenance.total_runs, 0));
    std::size_t first = 0;
    if (info.run_count > 0)
      first = static_cast<std::size_t>(reader.read_numeric("runs", "run", 0, 1).values.at(0));
    file.first_run = first;
    file.end_run = first + info.run_count;
    if (const auto shard = shard_of_file_name(path)) {
      file.shard_index = shard->index;
      file.shard_count = shard->count;
      std::tie(file.first_run, file.end_run) = shard_range(total_runs, *shard);
    } else if (!file.partial) {
      file.end_run = first + info.run_count;
    } else {
      file.end_run = total_runs; // an unfinished whole sweep
    }
    const std::vector<RunStatus> status = reader.run_status();
    for (std::size_t row = 0; row < status.size(); ++row) {
      const std::size_t run = first + row;
      if (run < file.first_run || run >= file.end_run) continue;
      switch (status[row]) {
      case RunStatus::ok: ++file.ok; break;
      case RunStatus::failed: ++file.failed; break;
      case RunStatus::kessler: ++file.kessler; break;
      default: break;
      }
    }
    file.not_run = (file.end_run - file.first_run) - file.ok - file.failed - file.kessler;
  } catch (const std::exception& e) {
    file.error = e.what();
  }
  return file;
}

} // namespace

std::vector<SweepStatus> sweep_status(const std::vector<std::string>& files_or_dirs) {
  std::vector<std::string> paths;
  for (const std::string& item : files_or_dirs) {
    if (std::filesystem::is_directory(item)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(item))
        if (entry.is_regular_file() && is_results_name(entry.path().filename().string()))
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      paths.insert(paths.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(item)) {
      paths.push_back(item);
    } else {
      throw IoError(item + ": no such file or directory");
    }
  }
  std::map<std::string, SweepStatus> by_hash;
  std::vector<FileStatus> unreadable;
  for (const std::string& path : paths) {
    std::size_t total = 0;
    FileStatus file = read_file_status(path, total);
    if (!file.error.empty()) {
      unreadable.push_back(file);
      continue;
    }
    SweepStatus& sweep = by_hash[file.definition_hash];
    sweep.definition_hash = file.definition_hash;
    sweep.sweep_name = file.sweep_name;
    sweep.total_runs = total;
    if (file.shard_count > 0) sweep.shard_count = std::max(sweep.shard_count, file.shard_count);
    sweep.files.push_back(file);
  }
  std::vector<SweepStatus> result;
  for (auto& [hash, sweep] : by_hash) {
    std::sort(sweep.files.begin(), sweep.files.end(), [](const FileStatus& a, const FileStatus& b) {
      return a.first_run != b.first_run ? a.first_run < b.first_run : a.partial < b.partial;
    });
    // Runs held by a finished file count once; an unfinished one only where nothing finished covers it.
    std::vector<bool> present(sweep.shard_count, false), finished(sweep.shard_count, false);
    std::size_t covered_runs = 0;
    for (const FileStatus& file : sweep.files) {
      sweep.failed_runs += file.failed;
      covered_runs += file.ok + file.failed + file.kessler;
      if (file.shard_count == sweep.shard_count && sweep.shard_count > 0) {
        present[file.shard_index] = true;
        if (!file.partial && file.not_run == 0) finished[file.shard_index] = true;
      }
    }
    sweep.missing_runs = sweep.total_runs > covered_runs ? sweep.total_runs - covered_runs : 0;
    for (std::size_t i = 0; i < sweep.shard_count; ++i) {
      if (!present[i]) sweep.missing_shards.push_back(i);
      if (!finished[i]) sweep.resubmit_shards.push_back(i);
    }
    result.push_back(std::move(sweep));
  }
  if (!unreadable.empty()) {
    SweepStatus bad;
    bad.files = unreadable;
    result.push_back(std::move(bad));
  }
  return result;
}

std::string format_status(const std::vector<SweepStatus>& sweeps) {
  std::ostringstream out;
  for (const SweepStatus& sweep : sweeps) {
    if (sweep.definition_hash.empty() && !sweep.files.empty() && !sweep.files.front().error.empty()) {
      for (const FileStatus& file : sweep.files) out << file.path << ": unreadable: " << file.error << "\n";
      continue;
    }
    out << "sweep " << sweep.sweep_name << " (definition " << sweep.definition_hash << "), "
        << sweep.total_runs << " runs";
    if (sweep.shard_count > 0) out << " in " << sweep.shard_count << " shards";
    out << ":\n";
    for (const FileStatus& file : sweep.files) {
      out << "  " << file.path << ": runs " << file.first_run << ".." << file.end_run - 1 << " (";
      out << file.ok << " ok, " << file.kessler << " kessler, " << file.failed << " failed, " << file.not_run
          << " not run)" << (file.partial ? ", unfinished: resume it or resubmit the shard" : "") << "\n";
    }
    if (!sweep.missing_shards.empty())
      out << "  missing shards (no file): " << compact_index_list(sweep.missing_shards) << "\n";
    if (!sweep.resubmit_shards.empty())
      out << "  resubmit: --array=" << compact_index_list(sweep.resubmit_shards) << "\n";
    else if (sweep.missing_runs > 0)
      out << "  " << sweep.missing_runs << " runs are in no file\n";
    if (sweep.failed_runs > 0)
      out << "  " << sweep.failed_runs
          << " failed runs: rerun them with  arcm sweep --retry-failed FILE  on each file that has some\n";
    if (sweep.missing_runs == 0 && sweep.failed_runs == 0) out << "  complete\n";
  }
  return out.str();
}

} // namespace arcm::hpc
