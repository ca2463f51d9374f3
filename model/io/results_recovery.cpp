// Continuing what a killed writer left (resume: a NAME.partial rebuilt from
// its checkpointed prefix) and changing a finished file safely (update: a
// copy renamed over it when complete).
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

void ResultsFileWriter::Impl::open_group_contents(StoredGroup& group, const std::string& name,
                                                  std::vector<VariableSpec>* specs, bool has_run_axis) {
  group.group = h5::open_group(file.id(), name);
  for (const std::string& child : h5::child_names(group.group.id())) {
    h5::Handle dataset = h5::open_dataset(group.group.id(), child);
    const bool is_label = contains(ACTOR_COORDINATES, child);
    if (child == "run") {
      group.run_coordinate = std::move(dataset);
    } else if (h5::is_scale(dataset.id()) || is_label) {
      // Coordinates are identical in every group; reading them from each is harmless.
      if (child == "time") {
        layout.time = h5::read_all<double>(dataset.id());
      } else if (child == STATISTIC_DIM) {
        layout.ensemble_statistics = h5::read_strings(dataset.id());
      } else {
        std::vector<std::string>* labels = child == "actor"         ? &layout.actor
                                           : child == "resource"    ? &layout.resource
                                           : child == "beneficiary" ? &layout.beneficiary
                                           : child == "bloc"        ? &layout.bloc
                                           : child == "kind"        ? &layout.kind
                                           : child == "actor_kind"  ? &layout.actor_kind
                                           : child == "actor_bloc"  ? &layout.actor_bloc
                                                                    : nullptr;
        if (labels == nullptr) throw IoError(partial_path + ": unknown coordinate /" + name + "/" + child);
        *labels = h5::read_strings(dataset.id());
      }
      group.coordinates.emplace_back(child, std::move(dataset));
    } else if (specs != nullptr) {
      StoredVariable variable;
      variable.spec.name = child;
      variable.spec.units = h5::read_string_attribute(dataset.id(), "units");
      variable.spec.long_name = h5::read_string_attribute(dataset.id(), "long_name");
      const std::vector<hsize_t> shape = h5::shape_of(dataset.id());
      for (unsigned axis = 1; axis < shape.size(); ++axis) {
        variable.spec.dims.push_back(h5::scale_name_on_axis(dataset.id(), axis));
        variable.per_run_dims.push_back(shape[axis]);
        variable.per_run_size *= static_cast<std::size_t>(shape[axis]);
      }
      variable.dataset = std::move(dataset);
      specs->push_back(variable.spec);
      group.variables.push_back(std::move(variable));
    }
  }
  if (has_run_axis && !group.run_coordinate.valid())
    throw IoError(partial_path + ": /" + name + " has no run coordinate");
}

void ResultsFileWriter::Impl::open_existing(bool writable) {
  // Check filetype and version with the reader first; HDF5 will not open the
  // same file read-only and read-write at once, so the reader is closed again.
  provenance = ResultsFileReader(partial_path).info().provenance;
  file = h5::open_file(partial_path, writable);

  has_trajectories = h5::link_exists(file.id(), "trajectories");
  layout.store_trajectories = has_trajectories;
  if (has_trajectories) {
    open_group_contents(trajectories, "trajectories", &layout.trajectories);
    if (!trajectories.variables.empty() && h5::element_size(trajectories.variables.front().dataset.id()) == 4)
      layout.trajectory_precision = Precision::float32;
  }
  open_group_contents(summary, "summary", &layout.summary);
  open_group_contents(parameters, "parameters", &layout.parameters);
  open_group_contents(runs, "runs", nullptr);
  layout.first_run_index = h5::read_numeric_attribute<std::int64_t>(runs.group.id(), "first_run_index").at(0);
  run_count = h5::shape_of(runs.run_coordinate.id()).at(0);
  for (const std::string& name : RUN_TABLE) {
    if (h5::link_exists(runs.group.id(), name) || !added_in_minor_2(name)) {
      runs.run_axis_extras.push_back(h5::open_dataset(runs.group.id(), name));
      continue;
    }
    // A file of format 1.0 or 1.1: its runs were myopic. A writer adds the
    // column (its fill value says so for every run already there); a
    // reader leaves an empty handle, which nothing copies from.
    if (!writable) {
      runs.run_axis_extras.emplace_back();
      continue;
    }
    h5::Handle column = create_foresight_column(name);
    if (run_count > 0) h5::extend_first_axis(column.id(), run_count);
    runs.run_axis_extras.push_back(std::move(column));
  }
  if (h5::link_exists(file.id(), "ensemble")) {
    // Only for its coordinates and declared variables: write_ensemble()
    // replaces the whole group, so nothing in it is kept open.
    StoredGroup ensemble;
    open_group_contents(ensemble, "ensemble", &layout.ensemble, false);
  }
  layout.run_chunk = uniform_run_chunk();
  if (writable) upgrade_minor_version();
}

std::int64_t ResultsFileWriter::Impl::uniform_run_chunk() {
  // Not stored as an attribute: the chunk shapes are the truth, and a file
  // written with a fixed run_chunk has it on every run-axis dataset. An
  // automatic layout whose datasets happen to agree is recreated identically
  // by that fixed value too (no dataset then needs cutting).
  std::optional<hsize_t> shared;
  bool uniform = true;
  auto visit = [&](hid_t dataset) {
    const std::vector<hsize_t> chunk = h5::chunk_dims(dataset);
    if (chunk.empty() || (shared && *shared != chunk[0]))
      uniform = false;
    else
      shared = chunk[0];
  };
  for (StoredGroup* group : groups()) {
    visit(group->run_coordinate.id());
    for (StoredVariable& variable : group->variables) visit(variable.dataset.id());
    for (h5::Handle& extra : group->run_axis_extras) visit(extra.id());
  }
  return uniform && shared ? static_cast<std::int64_t>(*shared) : 0;
}

std::optional<Checkpoint> ResultsFileWriter::Impl::read_checkpoint_of_file() {
  const hid_t root = file.id();
  if (!h5::link_exists(root, CHECKPOINT_GROUP)) return std::nullopt;
  const h5::Handle group = h5::open_group(root, CHECKPOINT_GROUP);
  // No next_run: the writer was killed while replacing the checkpoint.
  if (!h5::attribute_exists(group.id(), CHECKPOINT_NEXT_RUN)) return std::nullopt;
  Checkpoint checkpoint;
  checkpoint.next_run = h5::read_numeric_attribute<std::int64_t>(group.id(), CHECKPOINT_NEXT_RUN).at(0);
  const h5::Handle state_dataset = h5::open_dataset(group.id(), CHECKPOINT_STATE);
  checkpoint.state = h5::read_all<double>(state_dataset.id());
  return checkpoint;
}

namespace {

// Rows of a run-axis dataset copied per read: whole chunk rows along `run`,
// as many as fit this many bytes (at least one), so memory stays bounded
// however long the prefix is.
constexpr std::size_t COPY_BLOCK_BYTES = 16 * 1024 * 1024;

// Copies rows [0, rows) of `from` into `to` (same shape after the run axis,
// same file type). Reads go through `read_guard`, which turns a failure into
// DamagedPartialError: a damaged source must make the caller start over,
// while a failing write of the new file is an ordinary IoError.
void copy_rows(hid_t from, hid_t to, hsize_t rows, const std::string& source_path, const std::string& what) {
  if (rows == 0) return;
  auto damaged = [&](const std::string& reason) {
    throw DamagedPartialError("cannot resume " + source_path + ": " + what + " of the checkpointed runs " +
                              reason + "; start the run range over from its first run");
  };
  std::vector<hsize_t> shape, chunk;
  bool strings = false;
  h5::Handle memory_type;
  std::size_t element_bytes = 0;
  try {
    shape = h5::shape_of(from);
    chunk = h5::chunk_dims(from);
    strings = h5::holds_strings(from);
    if (!strings) {
      memory_type = h5::native_type_of(from);
      element_bytes = H5Tget_size(memory_type.id());
    }
  } catch (const IoError& e) {
    damaged(std::string("cannot be opened (") + e.what() + ")");
  }
  if (shape.empty() || shape[0] < rows || chunk.size() != shape.size())
    damaged("are missing (the run axis is shorter than the checkpoint or not chunked)");
  std::size_t per_run = 1;
  for (std::size_t axis = 1; axis < shape.size(); ++axis) per_run *= static_cast<std::size_t>(shape[axis]);
  const std::size_t row_bytes = std::max<std::size_t>(per_run * std::max<std::size_t>(element_bytes, 16), 1);
  const hsize_t block =
      chunk[0] * std::max<hsize_t>(1, COPY_BLOCK_BYTES / (row_bytes * static_cast<std::size_t>(chunk[0])));

  for (hsize_t start = 0; start < rows; start += block) {
    const hsize_t count = std::min(block, rows - start);
    std::vector<hsize_t> offset(shape.size(), 0), extent = shape;
    offset[0] = start;
    extent[0] = count;
    std::vector<unsigned char> bytes;
    std::vector<std::string> texts;
    try {
      // Every chunk under these rows was written by some batch; one missing
      // from the index (a torn index update) would silently read as NaN.
      if (per_run > 0) {
        std::vector<hsize_t> first(shape.size(), 0), end = shape;
        first[0] = start / chunk[0] * chunk[0];
        end[0] = start + count;
        std::vector<hsize_t> at = first;
        for (bool more = true; more;) {
          if (!h5::chunk_written(from, at)) damaged("were never written or lost their chunk index entry");
          more = false;
          for (std::size_t axis = at.size(); axis-- > 0;) { // odometer over the chunk grid
            at[axis] += chunk[axis];
            if (at[axis] < end[axis]) {
              more = true;
              break;
            }
            at[axis] = first[axis];
          }
        }
      }
      if (strings) {
        texts = h5::read_strings(from, start, count);
      } else {
        bytes.resize(static_cast<std::size_t>(count) * per_run * element_bytes);
        h5::read_hyperslab(from, memory_type.id(), offset, extent, bytes.data());
      }
    } catch (const DamagedPartialError&) {
      throw;
    } catch (const IoError& e) {
      damaged(std::string("cannot be read (") + e.what() + ")");
    }
    if (strings)
      h5::write_strings(to, start, texts);
    else
      h5::write_hyperslab(to, memory_type.id(), offset, extent, bytes.data());
  }
}

} // namespace

void ResultsFileWriter::Impl::copy_prefix_from(Impl& source, hsize_t rows) {
  std::vector<StoredGroup*> targets = groups();
  std::vector<StoredGroup*> sources = source.groups();
  if (targets.size() != sources.size())
    throw DamagedPartialError("cannot resume " + source.partial_path + ": its groups changed while reading");
  for (std::size_t g = 0; g < targets.size(); ++g) {
    StoredGroup& to = *targets[g];
    StoredGroup& from = *sources[g];
    for (std::size_t v = 0; v < to.variables.size(); ++v)
      copy_rows(from.variables.at(v).dataset.id(), to.variables[v].dataset.id(), rows, source.partial_path,
                to.variables[v].spec.name);
    for (std::size_t e = 0; e < to.run_axis_extras.size(); ++e)
      if (from.run_axis_extras.at(e).valid()) // a column new since the source's version stays filled
        copy_rows(from.run_axis_extras.at(e).id(), to.run_axis_extras[e].id(), rows, source.partial_path,
                  "/runs/" + RUN_TABLE.at(e));
  }
}

void ResultsFileWriter::Impl::upgrade_minor_version() {
  // A partial file from an older minor version of this major is resumed by
  // this writer, which may add this version's fields (/checkpoint, /ensemble),
  // so the file says so and gets the root attributes a reader now expects.
  const hid_t root = file.id();
  const auto version = h5::read_numeric_attribute<std::int32_t>(root, "format_version");
  if (version.at(1) >= RESULTS_FORMAT_MINOR) return;
  h5::write_attribute(root, "format_version",
                      std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
  if (!h5::attribute_exists(root, "definition_hash"))
    h5::write_attribute(root, "definition_hash", provenance.definition_hash);
  if (!h5::attribute_exists(root, "design")) h5::write_attribute(root, "design", provenance.design);
  if (!h5::attribute_exists(root, "total_runs"))
    h5::write_attribute(root, "total_runs", provenance.total_runs);
}

ResultsFileWriter ResultsFileWriter::resume(const std::string& final_path, ResumeInfo* info) {
  h5::silence_error_printing();
  const std::string partial = partial_path_for(final_path);
  const std::string rebuild = partial + ".rebuild";
  if (::access(partial.c_str(), F_OK) != 0)
    throw IoError("nothing to resume: " + partial + " does not exist");
  const std::string restart = "; start the run range over from its first run";

  // 1. The damaged file, read-only. Whether HDF5 can open it at all is
  // asked first: a file it cannot open is damaged, whereas one that opens
  // but is not ours (filetype, major version) is refused like any reader does.
  std::string filetype;
  std::vector<std::int32_t> version;
  try {
    const h5::Handle file = h5::open_file(partial, false);
    filetype = h5::read_string_attribute(file.id(), "filetype");
    version = h5::read_numeric_attribute<std::int32_t>(file.id(), "format_version");
  } catch (const IoError& e) {
    throw DamagedPartialError("cannot resume " + partial + ": it cannot be opened (" + e.what() + ")" +
                              restart);
  }
  if (filetype != RESULTS_FILETYPE || version.size() != 2 || version[0] != RESULTS_FORMAT_MAJOR)
    ResultsFileReader{partial}; // throws its usual refusal (foreign file, other major version)
  Impl source;
  source.final_path = final_path;
  source.partial_path = partial;
  std::optional<Checkpoint> checkpoint;
  try {
    source.open_existing(false);
    checkpoint = source.read_checkpoint_of_file();
  } catch (const IoError& e) {
    throw DamagedPartialError("cannot resume " + partial + ": its layout or checkpoint cannot be read (" +
                              e.what() + ")" + restart);
  }
  const std::int64_t first = source.layout.first_run_index;
  const std::int64_t next_run = checkpoint ? checkpoint->next_run : first;
  if (next_run < first || next_run > first + static_cast<std::int64_t>(source.run_count))
    throw DamagedPartialError("cannot resume " + partial + ": its checkpoint's next_run " +
                              std::to_string(next_run) + " lies outside its runs" + restart);

  // 2. A fresh file with the same layout, provenance and run axis, holding
  // the checkpointed runs and the checkpoint. HDF5 allocates chunks only
  // when written, so the runs from next_run on cost nothing and read as
  // not_run / NaN; the driver's next batch writes whole new chunks.
  try {
    Impl target;
    target.final_path = final_path;
    target.partial_path = rebuild;
    target.layout = source.layout;
    target.provenance = source.provenance;
    target.create();
    target.grow_to(source.run_count);
    target.copy_prefix_from(source, static_cast<hsize_t>(next_run - first));
    if (checkpoint) target.store_checkpoint(checkpoint->next_run, checkpoint->state);
    target.close_all();
    source.close_all();
    sync_file_at(rebuild);
    // 3. Atomically replace the damaged file; a kill before this line leaves
    // it untouched (and a stale .rebuild that the next resume truncates).
    rename_file(rebuild, partial);
    sync_directory_of(partial);
  } catch (...) {
    std::remove(rebuild.c_str());
    throw;
  }

  auto impl = std::make_unique<Impl>();
  impl->final_path = final_path;
  impl->partial_path = partial;
  impl->open_existing(true);
  if (info != nullptr) {
    info->checkpoint = std::move(checkpoint);
    info->next_run = next_run;
    info->first_run_index = impl->layout.first_run_index;
    info->run_count = static_cast<std::size_t>(impl->run_count);
    info->run_chunk = impl->layout.run_chunk;
    info->provenance = impl->provenance;
  }
  return ResultsFileWriter(std::move(impl));
}

ResultsFileWriter ResultsFileWriter::update(const std::string& final_path) {
  h5::silence_error_printing();
  const std::string partial = partial_path_for(final_path);
  const std::string refused = "cannot update " + final_path + ": ";
  if (::access(final_path.c_str(), F_OK) != 0) throw IoError(refused + "it does not exist");
  // Refused before anything is created: a foreign file or another major
  // version must not leave a NAME.partial that a later sweep might resume.
  try {
    ResultsFileReader{final_path};
  } catch (const IoError& e) {
    throw IoError(refused + e.what());
  }
  // All changes go to a copy, so a kill or an error at any point leaves
  // NAME as it was; finish() swaps the copy in with one rename().
  try {
    copy_file_exclusive(final_path, partial);
  } catch (const IoError& e) {
    throw IoError(refused + e.what());
  }
  auto impl = std::make_unique<Impl>();
  impl->final_path = final_path;
  impl->partial_path = partial;
  try {
    impl->open_existing(true);
  } catch (...) {
    impl.reset(); // close every handle before removing the copy
    std::remove(partial.c_str());
    throw;
  }
  return ResultsFileWriter(std::move(impl));
}

} // namespace arcm::io
