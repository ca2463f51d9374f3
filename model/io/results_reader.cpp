// Reading a results file: checks filetype and major version, then reads
// variables, run status and the checkpoint.
#include "io/results_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <utility>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "io/durable_file.hpp"
#include "io/results_internal.hpp"

namespace arcm::io {

using namespace detail;

// ---- reading ----------------------------------------------------------------

struct ResultsFileReader::Impl {
  h5::Handle file;
  ResultsFileInfo info;

  std::vector<std::string> data_variables(const std::string& group_name) const {
    std::vector<std::string> names;
    if (!h5::link_exists(file.id(), group_name)) return names;
    const h5::Handle group = h5::open_group(file.id(), group_name);
    for (const std::string& name : h5::child_names(group.id())) {
      if (contains(ACTOR_COORDINATES, name)) continue;
      const h5::Handle dataset = h5::open_dataset(group.id(), name);
      if (!h5::is_scale(dataset.id())) names.push_back(name);
    }
    return names;
  }
};

ResultsFileReader::ResultsFileReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  h5::silence_error_printing();
  impl_->file = h5::open_file(path, false);
  const hid_t root = impl_->file.id();
  ResultsFileInfo& info = impl_->info;
  info.path = path;

  if (!h5::attribute_exists(root, "filetype"))
    throw IoError(path + ": not an ARCM results file (no 'filetype' attribute)");
  const std::string filetype = h5::read_string_attribute(root, "filetype");
  if (filetype != RESULTS_FILETYPE)
    throw IoError(path + ": not an ARCM results file (filetype '" + filetype + "', expected '" +
                  RESULTS_FILETYPE + "')");
  const auto version = h5::attribute_exists(root, "format_version")
                           ? h5::read_numeric_attribute<std::int32_t>(root, "format_version")
                           : std::vector<std::int32_t>{};
  if (version.size() != 2) throw IoError(path + ": 'format_version' is missing or not [major, minor]");
  info.format_major = version[0];
  info.format_minor = version[1];
  const std::string found = std::to_string(version[0]) + "." + std::to_string(version[1]);
  const std::string supported = std::to_string(RESULTS_FORMAT_MAJOR) + ".x";
  if (info.format_major > RESULTS_FORMAT_MAJOR)
    throw IoError(path + ": results format version " + found + " is newer than this ARCM reads (" +
                  supported + "); use a newer ARCM");
  if (info.format_major < RESULTS_FORMAT_MAJOR)
    throw IoError(path + ": results format version " + found + " is older than this ARCM reads (" +
                  supported + "); use the ARCM version that wrote it (" +
                  (h5::attribute_exists(root, "arcm_version")
                       ? h5::read_string_attribute(root, "arcm_version")
                       : std::string("unknown")) +
                  ")");

  // A newer minor version only adds fields, so everything read below exists.
  Provenance& provenance = info.provenance;
  provenance.arcm_version = h5::read_string_attribute(root, "arcm_version");
  provenance.git_commit = h5::read_string_attribute(root, "git_commit");
  provenance.build_type = h5::read_string_attribute(root, "build_type");
  provenance.created_utc = h5::read_string_attribute(root, "created_utc");
  provenance.resolved_yaml = h5::read_string_attribute(root, "resolved_yaml");
  provenance.yaml_kind = h5::read_string_attribute(root, "yaml_kind");
  provenance.master_seed = h5::read_numeric_attribute<std::uint64_t>(root, "master_seed").at(0);
  provenance.threads = h5::read_numeric_attribute<std::int32_t>(root, "threads").at(0);
  provenance.processes = h5::read_numeric_attribute<std::int32_t>(root, "processes").at(0);
  // Added in 1.1: a 1.0 file reads as "" / "" / 0 (unknown).
  provenance.definition_hash =
      h5::attribute_exists(root, "definition_hash") ? h5::read_string_attribute(root, "definition_hash") : "";
  provenance.design = h5::attribute_exists(root, "design") ? h5::read_string_attribute(root, "design") : "";
  provenance.total_runs = h5::attribute_exists(root, "total_runs")
                              ? h5::read_numeric_attribute<std::int64_t>(root, "total_runs").at(0)
                              : 0;

  const h5::Handle runs = h5::open_group(root, "runs");
  const h5::Handle run = h5::open_dataset(runs.id(), "run");
  info.run_count = static_cast<std::size_t>(h5::shape_of(run.id()).at(0));
  info.trajectory_variables = impl_->data_variables("trajectories");
  info.summary_variables = impl_->data_variables("summary");
  info.parameters = impl_->data_variables("parameters");
  info.ensemble_variables = impl_->data_variables("ensemble");
  if (h5::link_exists(root, "ensemble")) {
    const h5::Handle ensemble = h5::open_group(root, "ensemble");
    const h5::Handle statistic = h5::open_dataset(ensemble.id(), STATISTIC_DIM);
    info.ensemble_statistics = h5::read_strings(statistic.id());
  }
  if (!info.trajectory_variables.empty()) {
    const h5::Handle trajectories = h5::open_group(root, "trajectories");
    const h5::Handle first = h5::open_dataset(trajectories.id(), info.trajectory_variables.front());
    if (h5::element_size(first.id()) == 4) info.trajectory_precision = Precision::float32;
  }
}

ResultsFileReader::~ResultsFileReader() = default;
ResultsFileReader::ResultsFileReader(ResultsFileReader&&) noexcept = default;
ResultsFileReader& ResultsFileReader::operator=(ResultsFileReader&&) noexcept = default;

const ResultsFileInfo& ResultsFileReader::info() const {
  return impl_->info;
}

NumericArray ResultsFileReader::read_numeric(const std::string& group, const std::string& name) const {
  h5::silence_error_printing();
  const h5::Handle handle = h5::open_group(impl_->file.id(), group);
  const h5::Handle dataset = h5::open_dataset(handle.id(), name);
  NumericArray array;
  for (hsize_t extent : h5::shape_of(dataset.id())) array.shape.push_back(static_cast<std::size_t>(extent));
  array.values = h5::read_all<double>(dataset.id());
  return array;
}

NumericArray ResultsFileReader::read_numeric(const std::string& group, const std::string& name,
                                             std::size_t first_row, std::size_t rows) const {
  h5::silence_error_printing();
  const h5::Handle handle = h5::open_group(impl_->file.id(), group);
  const h5::Handle dataset = h5::open_dataset(handle.id(), name);
  const std::vector<hsize_t> shape = h5::shape_of(dataset.id());
  if (shape.empty() || first_row + rows > shape[0])
    throw IoError(impl_->info.path + ": /" + group + "/" + name + " has no rows " +
                  std::to_string(first_row) + ".." + std::to_string(first_row + rows));
  std::vector<hsize_t> start(shape.size(), 0), count = shape;
  start[0] = first_row;
  count[0] = rows;
  NumericArray array;
  std::size_t size = 1;
  for (hsize_t extent : count) {
    array.shape.push_back(static_cast<std::size_t>(extent));
    size *= static_cast<std::size_t>(extent);
  }
  array.values.resize(size);
  if (size > 0) h5::read_hyperslab(dataset.id(), H5T_NATIVE_DOUBLE, start, count, array.values.data());
  return array;
}

std::vector<std::string> ResultsFileReader::read_strings(const std::string& group, const std::string& name,
                                                         std::size_t first_row, std::size_t rows) const {
  h5::silence_error_printing();
  const h5::Handle handle = h5::open_group(impl_->file.id(), group);
  const h5::Handle dataset = h5::open_dataset(handle.id(), name);
  return h5::read_strings(dataset.id(), first_row, rows);
}

std::vector<std::string> ResultsFileReader::read_strings(const std::string& group,
                                                         const std::string& name) const {
  h5::silence_error_printing();
  const h5::Handle handle = h5::open_group(impl_->file.id(), group);
  const h5::Handle dataset = h5::open_dataset(handle.id(), name);
  return h5::read_strings(dataset.id());
}

VariableDescription ResultsFileReader::describe(const std::string& group, const std::string& name) const {
  h5::silence_error_printing();
  const h5::Handle handle = h5::open_group(impl_->file.id(), group);
  const h5::Handle dataset = h5::open_dataset(handle.id(), name);
  VariableDescription description;
  if (h5::attribute_exists(dataset.id(), "units"))
    description.units = h5::read_string_attribute(dataset.id(), "units");
  if (h5::attribute_exists(dataset.id(), "long_name"))
    description.long_name = h5::read_string_attribute(dataset.id(), "long_name");
  const std::vector<hsize_t> shape = h5::shape_of(dataset.id());
  for (unsigned axis = 0; axis < shape.size(); ++axis) {
    description.shape.push_back(static_cast<std::size_t>(shape[axis]));
    // A coordinate is its own dimension; a data variable names the scales attached to it.
    description.dims.push_back(h5::is_scale(dataset.id()) ? name
                                                          : h5::scale_name_on_axis(dataset.id(), axis));
  }
  description.strings = h5::holds_strings(dataset.id());
  return description;
}

std::vector<RunStatus> ResultsFileReader::run_status() const {
  h5::silence_error_printing();
  const h5::Handle runs = h5::open_group(impl_->file.id(), "runs");
  const h5::Handle dataset = h5::open_dataset(runs.id(), "status");
  std::vector<RunStatus> status;
  for (std::int8_t flag : h5::read_all<std::int8_t>(dataset.id()))
    status.push_back(static_cast<RunStatus>(flag));
  return status;
}

std::optional<Checkpoint> ResultsFileReader::read_checkpoint() const {
  h5::silence_error_printing();
  const hid_t root = impl_->file.id();
  if (!h5::link_exists(root, CHECKPOINT_GROUP)) return std::nullopt;
  const h5::Handle group = h5::open_group(root, CHECKPOINT_GROUP);
  // No next_run: the writer was killed while replacing the checkpoint.
  if (!h5::attribute_exists(group.id(), CHECKPOINT_NEXT_RUN)) return std::nullopt;
  Checkpoint checkpoint;
  checkpoint.next_run = h5::read_numeric_attribute<std::int64_t>(group.id(), CHECKPOINT_NEXT_RUN).at(0);
  const h5::Handle state = h5::open_dataset(group.id(), CHECKPOINT_STATE);
  checkpoint.state = h5::read_all<double>(state.id());
  return checkpoint;
}

ResultsFileInfo open_results(const std::string& path) {
  return ResultsFileReader(path).info();
}

} // namespace arcm::io
