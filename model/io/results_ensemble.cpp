// A sweep's statistics across runs (/ensemble) and the state it resumes
// from (/checkpoint).
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

void ResultsFileWriter::Impl::write_ensemble_group(const std::vector<std::string>& statistics,
                                                   const std::vector<EnsembleVariable>& variables) {
  const std::string where = partial_path + ": /ensemble";
  if (statistics.empty()) throw IoError(where + ": no statistics given");
  for (std::size_t s = 0; s < statistics.size(); ++s)
    if (statistics[s].empty() ||
        std::find(statistics.begin(), statistics.begin() + static_cast<std::ptrdiff_t>(s), statistics[s]) !=
            statistics.begin() + static_cast<std::ptrdiff_t>(s))
      throw IoError(where + ": statistic name '" + statistics[s] + "' is empty or repeated");

  std::vector<std::string> seen_names;
  std::vector<std::size_t> elements;
  for (const EnsembleVariable& variable : variables) {
    const VariableSpec& spec = variable.spec;
    if (spec.name.empty() || spec.name == STATISTIC_DIM || contains(KNOWN_DIMS, spec.name) ||
        contains(ACTOR_COORDINATES, spec.name) || contains(seen_names, spec.name))
      throw IoError(where + ": variable name '" + spec.name + "' is empty, a coordinate name or repeated");
    seen_names.push_back(spec.name);
    std::size_t size = 1;
    for (const std::string& dim : spec.dims) {
      if (dim == "run" || dim == STATISTIC_DIM)
        throw IoError(where + "/" + spec.name + " lists '" + dim + "' in its dims (the file adds '" +
                      STATISTIC_DIM + "' itself; the ensemble has no run axis)");
      // A resumed summary-only file knows `time` only from a declared /ensemble.
      if (dim == "time" && layout.time.empty())
        throw IoError(where + "/" + spec.name +
                      ": the file has no time coordinate (declare ResultsLayout::ensemble when "
                      "creating a summary-only file that may be resumed)");
      size *= layout.dim_length(dim); // throws on an unknown dimension
    }
    if (!variable.values.empty() && variable.values.size() != statistics.size() * size)
      throw IoError(where + "/" + spec.name + ": " + std::to_string(variable.values.size()) +
                    " values, expected " + std::to_string(statistics.size()) + " statistics x " +
                    std::to_string(size) + " elements");
    elements.push_back(size);
  }

  // Filling the declared placeholder writes into its datasets in place: their
  // chunks were never allocated (all NaN by fill value), so this only adds
  // chunks, and the group's metadata, which resume() reads back, stays
  // untouched. Deleting and recreating the group instead would let HDF5
  // reuse its freed space at once, and a kill before the next flush would
  // leave a partial whose /ensemble cannot be read.
  bool matches_placeholder = h5::link_exists(file.id(), "ensemble") &&
                             statistics == layout.ensemble_statistics &&
                             variables.size() == layout.ensemble.size();
  for (std::size_t v = 0; matches_placeholder && v < variables.size(); ++v)
    matches_placeholder = variables[v].spec.name == layout.ensemble[v].name &&
                          variables[v].spec.dims == layout.ensemble[v].dims &&
                          variables[v].spec.units == layout.ensemble[v].units &&
                          variables[v].spec.long_name == layout.ensemble[v].long_name;
  if (matches_placeholder) {
    const h5::Handle group = h5::open_group(file.id(), "ensemble");
    for (std::size_t v = 0; v < variables.size(); ++v) {
      const h5::Handle dataset = h5::open_dataset(group.id(), variables[v].spec.name);
      std::vector<double> values = variables[v].values;
      if (values.empty()) values.assign(statistics.size() * elements[v], NAN_DOUBLE);
      if (!values.empty()) h5::write_all(dataset.id(), H5T_NATIVE_DOUBLE, values.data());
    }
    return;
  }
  // Replacing means deleting the old group first; within one session HDF5
  // reuses the freed space for the new one.
  if (h5::link_exists(file.id(), "ensemble")) h5::delete_link(file.id(), "ensemble");
  StoredGroup group;
  group.group = h5::create_group(file.id(), "ensemble");
  h5::write_attribute(group.group.id(), "description",
                      std::string("statistics across runs of trajectory variables, per element"));

  {
    h5::DatasetOptions options;
    options.dims = {statistics.size()};
    const h5::Handle string_type = h5::vlen_string_type();
    h5::Handle coordinate = h5::create_dataset(group.group.id(), STATISTIC_DIM, string_type.id(), options);
    h5::write_strings(coordinate.id(), 0, statistics);
    h5::write_attribute(coordinate.id(), "units", std::string("1"));
    h5::write_attribute(coordinate.id(), "long_name", std::string("statistic across runs"));
    h5::make_scale(coordinate.id(), STATISTIC_DIM);
    group.coordinates.emplace_back(STATISTIC_DIM, std::move(coordinate));
  }
  std::vector<std::string> used_dims;
  for (const std::string& dim : KNOWN_DIMS)
    for (const EnsembleVariable& variable : variables)
      if (contains(variable.spec.dims, dim) && !contains(used_dims, dim)) used_dims.push_back(dim);
  create_coordinates(group, used_dims);

  const std::string units_note = "units apply to every statistic except count, the number of runs with a "
                                 "finite value at that element (units 1)";
  for (std::size_t v = 0; v < variables.size(); ++v) {
    const VariableSpec& spec = variables[v].spec;
    h5::DatasetOptions options;
    options.dims = {statistics.size()};
    for (const std::string& dim : spec.dims) options.dims.push_back(layout.dim_length(dim));
    // Whole statistics per chunk, as many as fit in the usual chunk size, so
    // reading one statistic (a fan chart's median) touches few chunks.
    const std::size_t per_chunk = std::clamp<std::size_t>(
        TARGET_CHUNK_BYTES / std::max<std::size_t>(elements[v] * sizeof(double), 1), 1, statistics.size());
    options.chunk = {per_chunk};
    for (std::size_t axis = 1; axis < options.dims.size(); ++axis)
      options.chunk.push_back(std::max<hsize_t>(options.dims[axis], 1));
    options.compress = true;
    h5::Handle dataset = h5::create_dataset(group.group.id(), spec.name, H5T_IEEE_F64LE, options,
                                            H5T_NATIVE_DOUBLE, &NAN_DOUBLE);
    h5::write_attribute(dataset.id(), "_FillValue", NAN_DOUBLE);
    h5::write_attribute(dataset.id(), "units", spec.units);
    h5::write_attribute(dataset.id(), "long_name", spec.long_name);
    h5::write_attribute(dataset.id(), "statistic_units_note", units_note);
    if (contains(spec.dims, "actor")) {
      std::vector<std::string> extras;
      for (const std::string& name : ACTOR_COORDINATES)
        if (group.coordinate(name) >= 0) extras.push_back(name);
      if (!extras.empty()) h5::write_attribute(dataset.id(), "coordinates", join(extras, " "));
    }
    h5::attach_scale(dataset.id(), group.coordinate(STATISTIC_DIM), 0);
    for (std::size_t axis = 0; axis < spec.dims.size(); ++axis)
      h5::attach_scale(dataset.id(), group.coordinate(spec.dims[axis]), static_cast<unsigned>(axis + 1));
    if (!variables[v].values.empty() && elements[v] > 0)
      h5::write_all(dataset.id(), H5T_NATIVE_DOUBLE, variables[v].values.data());
  }
}

void ResultsFileWriter::Impl::open_or_create_checkpoint(hsize_t first_length) {
  if (checkpoint_group.valid()) return;
  if (h5::link_exists(file.id(), CHECKPOINT_GROUP)) { // a resumed file
    checkpoint_group = h5::open_group(file.id(), CHECKPOINT_GROUP);
    checkpoint_element = h5::open_dataset(checkpoint_group.id(), CHECKPOINT_DIM);
    checkpoint_state = h5::open_dataset(checkpoint_group.id(), CHECKPOINT_STATE);
    return;
  }
  checkpoint_group = h5::create_group(file.id(), CHECKPOINT_GROUP);
  h5::write_attribute(checkpoint_group.id(), "description",
                      std::string("sweep driver state after its last batch: where an unfinished sweep "
                                  "resumes, or the final state a finished sweep keeps for retrying runs"));
  const hid_t parent = checkpoint_group.id();

  h5::DatasetOptions options;
  options.dims = {0};
  options.unlimited_first_axis = true;
  // Sized by the first state (within limits): a chunk is allocated whole, so
  // a tiny state in a 256 KiB chunk would waste most of it.
  options.chunk = {std::clamp<hsize_t>(first_length, 1024, CHECKPOINT_CHUNK)};
  // The index coordinate only grows and compresses to almost nothing.
  options.compress = true;
  checkpoint_element = h5::create_dataset(parent, CHECKPOINT_DIM, H5T_STD_I64LE, options);
  h5::write_attribute(checkpoint_element.id(), "units", std::string("1"));
  h5::write_attribute(checkpoint_element.id(), "long_name", std::string("index into the checkpoint state"));
  h5::make_scale(checkpoint_element.id(), CHECKPOINT_DIM);

  options.compress = false; // see CHECKPOINT_CHUNK
  checkpoint_state =
      h5::create_dataset(parent, CHECKPOINT_STATE, H5T_IEEE_F64LE, options, H5T_NATIVE_DOUBLE, &NAN_DOUBLE);
  h5::write_attribute(checkpoint_state.id(), "_FillValue", NAN_DOUBLE);
  h5::write_attribute(checkpoint_state.id(), "units", std::string("1"));
  h5::write_attribute(checkpoint_state.id(), "long_name",
                      std::string("opaque accumulator state of the sweep driver"));
  h5::attach_scale(checkpoint_state.id(), checkpoint_element.id(), 0);
}

void ResultsFileWriter::write_ensemble(const std::vector<std::string>& statistics,
                                       const std::vector<EnsembleVariable>& variables) {
  h5::silence_error_printing();
  Impl& state = *impl_;
  if (state.finished) throw IoError(state.final_path + ": write_ensemble after finish()");
  state.write_ensemble_group(statistics, variables);
  state.layout.ensemble_statistics = statistics;
  state.layout.ensemble.clear();
  for (const EnsembleVariable& variable : variables) state.layout.ensemble.push_back(variable.spec);
  h5::flush(state.file.id());
}

void ResultsFileWriter::write_checkpoint(std::int64_t next_run, const std::vector<double>& state_values) {
  h5::silence_error_printing();
  Impl& state = *impl_;
  if (state.finished) throw IoError(state.final_path + ": write_checkpoint after finish()");
  const std::int64_t end = state.layout.first_run_index + static_cast<std::int64_t>(state.run_count);
  if (next_run < state.layout.first_run_index || next_run > end)
    throw IoError(state.partial_path + ": checkpoint next_run " + std::to_string(next_run) +
                  " is outside the file's runs " + std::to_string(state.layout.first_run_index) + ".." +
                  std::to_string(end));
  state.store_checkpoint(next_run, state_values);
}

void ResultsFileWriter::Impl::store_checkpoint(std::int64_t next_run,
                                               const std::vector<double>& state_values) {
  open_or_create_checkpoint(static_cast<hsize_t>(state_values.size()));
  const hid_t group = checkpoint_group.id();

  // 1. Mark the old checkpoint incomplete and make that durable before the
  // new state overwrites it: a large state goes to disk as it is written
  // (it does not fit HDF5's chunk cache), and after a power loss the disk
  // may keep any subset of unsynced writes, so without this the new state
  // could end up next to the old next_run.
  if (h5::attribute_exists(group, CHECKPOINT_NEXT_RUN)) {
    h5::delete_attribute(group, CHECKPOINT_NEXT_RUN);
    h5::sync(group);
  }

  // 2. The new state, then a sync that also covers every batch appended
  // since the last checkpoint: all of it must be on disk before next_run
  // says it is.
  const auto old_length = h5::shape_of(checkpoint_element.id()).at(0);
  const auto new_length = static_cast<hsize_t>(state_values.size());
  h5::resize_first_axis(checkpoint_element.id(), new_length);
  h5::resize_first_axis(checkpoint_state.id(), new_length);
  if (new_length > old_length) { // indices below old_length are already right
    std::vector<std::int64_t> indices;
    indices.reserve(static_cast<std::size_t>(new_length - old_length));
    for (hsize_t i = old_length; i < new_length; ++i) indices.push_back(static_cast<std::int64_t>(i));
    h5::write_hyperslab(checkpoint_element.id(), H5T_NATIVE_INT64, {old_length}, {new_length - old_length},
                        indices.data());
  }
  if (new_length > 0)
    h5::write_hyperslab(checkpoint_state.id(), H5T_NATIVE_DOUBLE, {0}, {new_length}, state_values.data());
  h5::sync(group);

  // 3. next_run makes the checkpoint valid again; synced so that a returned
  // write_checkpoint() survives a power loss. The file's directory entry is
  // synced once: a file that vanishes with the power holds no checkpoint.
  h5::write_attribute(group, CHECKPOINT_NEXT_RUN, next_run);
  h5::sync(group);
  if (!directory_synced) {
    sync_directory_of(partial_path);
    directory_synced = true;
  }
}

} // namespace arcm::io
