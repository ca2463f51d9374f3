// Writing a results file: creating NAME.partial with its groups,
// coordinates and variables, appending batches of runs, and finishing it
// (fsync, rename to NAME).
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

std::vector<StoredGroup*> ResultsFileWriter::Impl::groups() {
  std::vector<StoredGroup*> all = {&summary, &parameters, &runs};
  if (has_trajectories) all.insert(all.begin(), &trajectories);
  return all;
}

void ResultsFileWriter::Impl::create() {
  if (layout.run_chunk < 0)
    throw IoError("results layout: run_chunk " + std::to_string(layout.run_chunk) + " is negative");
  if (provenance.created_utc.empty()) provenance.created_utc = utc_now_iso8601();
  file = h5::create_file(partial_path);
  write_root_attributes();

  has_trajectories = layout.store_trajectories && !layout.trajectories.empty();
  if (has_trajectories) {
    const bool float32 = layout.trajectory_precision == Precision::float32;
    creating_trajectories = true;
    trajectories = create_group("trajectories", "states and derived outputs over time, per run",
                                layout.trajectories, float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, float32);
    creating_trajectories = false;
  }
  summary = create_group("summary", "per-run metrics", layout.summary, H5T_IEEE_F64LE, false);
  std::vector<VariableSpec> parameter_specs = layout.parameters;
  for (VariableSpec& spec : parameter_specs) spec.dims.clear(); // a parameter is one value per run
  parameters = create_group("parameters", "swept or sampled parameter values, per run", parameter_specs,
                            H5T_IEEE_F64LE, false);
  create_runs_group();
  if (!layout.ensemble.empty()) {
    // The declared placeholder: all NaN until write_ensemble().
    std::vector<EnsembleVariable> placeholders;
    for (const VariableSpec& spec : layout.ensemble) placeholders.push_back({spec, {}});
    write_ensemble_group(layout.ensemble_statistics, placeholders);
  }
  h5::flush(file.id());
}

void ResultsFileWriter::Impl::write_root_attributes() {
  const hid_t root = file.id();
  h5::write_attribute(root, "filetype", std::string(RESULTS_FILETYPE));
  h5::write_attribute(root, "format_version",
                      std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
  h5::write_attribute(root, "Conventions", std::string("CF-1.10"));
  h5::write_attribute(root, "title", std::string("ARCM (Asteroid Resource Competition Model) results"));
  // The root holds only attributes: `xr.open_dataset(file)` shows an empty Dataset with these, so
  // the CF `comment` says where the data are and how to open them (docs/output-format.md).
  std::string groups = layout.store_trajectories && !layout.trajectories.empty() ? "trajectories, " : "";
  groups += "summary, parameters, runs";
  if (!layout.ensemble.empty()) groups += ", ensemble";
  h5::write_attribute(root, "comment",
                      "the data are in groups (" + groups +
                          "); open one with xr.open_dataset(path, group=\"summary\"), or all with "
                          "arcm.open(path) (docs/python.md); layout in docs/output-format.md");
  h5::write_attribute(root, "arcm_version", provenance.arcm_version);
  h5::write_attribute(root, "git_commit", provenance.git_commit);
  h5::write_attribute(root, "build_type", provenance.build_type);
  h5::write_attribute(root, "created_utc", provenance.created_utc);
  h5::write_attribute(root, "resolved_yaml", provenance.resolved_yaml);
  h5::write_attribute(root, "yaml_kind", provenance.yaml_kind);
  h5::write_attribute(root, "master_seed", provenance.master_seed);
  h5::write_attribute(root, "threads", provenance.threads);
  h5::write_attribute(root, "processes", provenance.processes);
  h5::write_attribute(root, "definition_hash", provenance.definition_hash);
  h5::write_attribute(root, "design", provenance.design);
  h5::write_attribute(root, "total_runs", provenance.total_runs);
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  h5::write_attribute(root, "hdf5_version",
                      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release));
}

void ResultsFileWriter::Impl::create_coordinates(StoredGroup& group, const std::vector<std::string>& dims) {
  const hid_t parent = group.group.id();
  if (contains(dims, "run")) { // every group but /ensemble
    h5::DatasetOptions run_options;
    run_options.dims = {0};
    run_options.unlimited_first_axis = true;
    run_options.chunk = run_axis_chunk(layout.run_chunk, {}, sizeof(std::int64_t));
    run_options.compress = true;
    group.run_coordinate = h5::create_dataset(parent, "run", H5T_STD_I64LE, run_options);
    h5::write_attribute(group.run_coordinate.id(), "units", std::string("1"));
    h5::write_attribute(group.run_coordinate.id(), "long_name", std::string("run index within the sweep"));
    h5::make_scale(group.run_coordinate.id(), "run");
  }

  const h5::Handle string_type = h5::vlen_string_type();
  auto create_labels = [&](const std::string& name, const std::vector<std::string>& labels,
                           const std::string& long_name) {
    h5::DatasetOptions options;
    options.dims = {labels.size()};
    h5::Handle dataset = h5::create_dataset(parent, name, string_type.id(), options);
    h5::write_strings(dataset.id(), 0, labels);
    // String labels have no physical unit; "1" keeps "every variable has units" true for tools that check.
    h5::write_attribute(dataset.id(), "units", std::string("1"));
    h5::write_attribute(dataset.id(), "long_name", long_name);
    return dataset;
  };

  for (const std::string& dim : dims) {
    if (dim == "run") continue;
    h5::Handle coordinate;
    if (dim == "time") {
      h5::DatasetOptions options;
      options.dims = {layout.time.size()};
      coordinate = h5::create_dataset(parent, "time", H5T_IEEE_F64LE, options);
      h5::write_all(coordinate.id(), H5T_NATIVE_DOUBLE, layout.time.data());
      // A plain numeric year: "years since ..." is not decodable by xarray.
      h5::write_attribute(coordinate.id(), "units", std::string("year"));
      h5::write_attribute(coordinate.id(), "long_name", std::string("calendar year"));
    } else if (dim == "actor") {
      coordinate = create_labels("actor", layout.actor, "actor id");
    } else if (dim == "resource") {
      coordinate = create_labels("resource", layout.resource, "resource id");
    } else if (dim == "beneficiary") {
      coordinate = create_labels("beneficiary", layout.beneficiary, "royalty beneficiary id");
    } else if (dim == "bloc") {
      coordinate = create_labels("bloc", layout.bloc, "bloc name");
    } else if (dim == "kind") {
      coordinate = create_labels("kind", layout.kind, "actor kind");
    }
    h5::make_scale(coordinate.id(), dim);
    group.coordinates.emplace_back(dim, std::move(coordinate));
  }

  // Per-actor labels as non-index coordinates (attached to the actor scale),
  // named in each actor variable's `coordinates` attribute.
  if (contains(dims, "actor")) {
    const std::pair<const char*, const std::vector<std::string>*> extras[] = {
        {"actor_kind", &layout.actor_kind}, {"actor_bloc", &layout.actor_bloc}};
    for (const auto& [name, labels] : extras) {
      if (labels->empty()) continue;
      if (labels->size() != layout.actor.size())
        throw IoError("results layout: " + std::string(name) + " has " + std::to_string(labels->size()) +
                      " entries for " + std::to_string(layout.actor.size()) + " actors");
      h5::Handle dataset =
          create_labels(name, *labels,
                        name == std::string("actor_kind") ? "kind of each actor (state or firm)"
                                                          : "bloc of each actor (empty for none)");
      h5::attach_scale(dataset.id(), group.coordinate("actor"), 0);
      group.coordinates.emplace_back(name, std::move(dataset));
    }
  }
}

StoredVariable ResultsFileWriter::Impl::create_variable(StoredGroup& group, const VariableSpec& spec,
                                                        hid_t value_type, bool is_float32) {
  StoredVariable variable;
  variable.spec = spec;
  h5::DatasetOptions options;
  options.dims = {0};
  options.unlimited_first_axis = true;
  for (const std::string& dim : spec.dims) {
    const hsize_t length = layout.dim_length(dim);
    variable.per_run_dims.push_back(length);
    variable.per_run_size *= static_cast<std::size_t>(length);
    options.dims.push_back(length);
  }
  const std::size_t element_bytes = is_float32 ? sizeof(float) : sizeof(double);
  options.chunk = run_axis_chunk(layout.run_chunk, variable.per_run_dims, element_bytes);
  options.compress = !creating_trajectories || layout.compress_trajectories;

  const hid_t parent = group.group.id();
  // NaN marks "no value" (runs never written, runs that failed early). The
  // _FillValue attribute must have exactly the dataset's type (netCDF-C).
  if (is_float32) {
    variable.dataset =
        h5::create_dataset(parent, spec.name, value_type, options, H5T_NATIVE_FLOAT, &NAN_FLOAT);
    h5::write_attribute(variable.dataset.id(), "_FillValue", NAN_FLOAT);
  } else {
    variable.dataset =
        h5::create_dataset(parent, spec.name, value_type, options, H5T_NATIVE_DOUBLE, &NAN_DOUBLE);
    h5::write_attribute(variable.dataset.id(), "_FillValue", NAN_DOUBLE);
  }
  h5::write_attribute(variable.dataset.id(), "units", spec.units);
  h5::write_attribute(variable.dataset.id(), "long_name", spec.long_name);
  if (contains(spec.dims, "actor")) {
    std::vector<std::string> extras;
    for (const std::string& name : ACTOR_COORDINATES)
      if (group.coordinate(name) >= 0) extras.push_back(name);
    if (!extras.empty()) h5::write_attribute(variable.dataset.id(), "coordinates", join(extras, " "));
  }

  h5::attach_scale(variable.dataset.id(), group.run_coordinate.id(), 0);
  for (std::size_t axis = 0; axis < spec.dims.size(); ++axis)
    h5::attach_scale(variable.dataset.id(), group.coordinate(spec.dims[axis]),
                     static_cast<unsigned>(axis + 1));
  return variable;
}

StoredGroup ResultsFileWriter::Impl::create_group(const std::string& name, const std::string& description,
                                                  const std::vector<VariableSpec>& specs, hid_t value_type,
                                                  bool is_float32) {
  StoredGroup group;
  group.group = h5::create_group(file.id(), name);
  h5::write_attribute(group.group.id(), "description", description);

  std::vector<std::string> seen_names;
  std::vector<std::string> used_dims = {"run"};
  for (const VariableSpec& spec : specs) {
    if (spec.name.empty() || contains(KNOWN_DIMS, spec.name) || contains(ACTOR_COORDINATES, spec.name) ||
        contains(seen_names, spec.name))
      throw IoError("results layout: /" + name + " variable name '" + spec.name +
                    "' is empty, a coordinate name or repeated");
    seen_names.push_back(spec.name);
    for (const std::string& dim : spec.dims) {
      if (dim == "run")
        throw IoError("results layout: /" + name + "/" + spec.name + " lists 'run' in its dims");
      layout.dim_length(dim); // throws on an unknown dimension
    }
  }
  // Only the dimensions some variable uses: a scale attached to nothing has
  // no REFERENCE_LIST and h5netcdf refuses it.
  for (const std::string& dim : KNOWN_DIMS)
    for (const VariableSpec& spec : specs)
      if (contains(spec.dims, dim) && !contains(used_dims, dim)) used_dims.push_back(dim);
  create_coordinates(group, used_dims);
  for (const VariableSpec& spec : specs)
    group.variables.push_back(create_variable(group, spec, value_type, is_float32));
  return group;
}

h5::Handle ResultsFileWriter::Impl::create_run_variable(StoredGroup& group, const std::string& name,
                                                        hid_t type, hsize_t bytes, const std::string& units,
                                                        const std::string& long_name, hid_t fill_type,
                                                        const void* fill) {
  h5::DatasetOptions options;
  options.dims = {0};
  options.unlimited_first_axis = true;
  options.chunk = run_axis_chunk(layout.run_chunk, {}, static_cast<std::size_t>(bytes));
  // Filters on VLEN strings would compress heap pointers, not the text.
  options.compress = H5Tis_variable_str(type) <= 0;
  h5::Handle dataset = h5::create_dataset(group.group.id(), name, type, options, fill_type, fill);
  h5::write_attribute(dataset.id(), "units", units);
  h5::write_attribute(dataset.id(), "long_name", long_name);
  h5::attach_scale(dataset.id(), group.run_coordinate.id(), 0);
  return dataset;
}

void ResultsFileWriter::Impl::create_runs_group() {
  runs.group = h5::create_group(file.id(), "runs");
  h5::write_attribute(runs.group.id(), "description", std::string("how each run ended and what it cost"));
  // Where the file's run axis starts in the sweep, for resuming a file that holds no run yet.
  h5::write_attribute(runs.group.id(), "first_run_index", layout.first_run_index);
  create_coordinates(runs, {"run"});

  // Unwritten runs read as not_run. No _FillValue attribute: -1 is a
  // meaningful flag, and xarray would otherwise mask it to NaN.
  const std::int8_t not_run = static_cast<std::int8_t>(RunStatus::not_run);
  h5::Handle status = create_run_variable(runs, "status", H5T_STD_I8LE, 1, "1", "how the run ended",
                                          H5T_NATIVE_INT8, &not_run);
  const std::vector<std::int8_t> flag_values = {
      static_cast<std::int8_t>(RunStatus::ok), static_cast<std::int8_t>(RunStatus::failed),
      static_cast<std::int8_t>(RunStatus::kessler), static_cast<std::int8_t>(RunStatus::not_run)};
  h5::write_attribute(status.id(), "flag_values", flag_values);
  std::vector<std::string> meanings;
  for (std::int8_t flag : flag_values) meanings.emplace_back(to_string(static_cast<RunStatus>(flag)));
  h5::write_attribute(status.id(), "flag_meanings", join(meanings, " "));
  runs.run_axis_extras.push_back(std::move(status));

  const h5::Handle string_type = h5::vlen_string_type();
  runs.run_axis_extras.push_back(create_run_variable(runs, "message", string_type.id(), 64, "1",
                                                     "why the run failed or stopped (empty when ok)",
                                                     H5I_INVALID_HID, nullptr));
  runs.run_axis_extras.push_back(create_run_variable(runs, "stop_time", H5T_IEEE_F64LE, 8, "year",
                                                     "year the run ended", H5T_NATIVE_DOUBLE, &NAN_DOUBLE));
  h5::write_attribute(runs.run_axis_extras.back().id(), "_FillValue", NAN_DOUBLE);
  runs.run_axis_extras.push_back(create_run_variable(runs, "wall_seconds", H5T_IEEE_F64LE, 8, "s",
                                                     "wall-clock time of the integration", H5T_NATIVE_DOUBLE,
                                                     &NAN_DOUBLE));
  h5::write_attribute(runs.run_axis_extras.back().id(), "_FillValue", NAN_DOUBLE);
  runs.run_axis_extras.push_back(create_run_variable(runs, "rhs_evaluations", H5T_STD_I64LE, 8, "1",
                                                     "right-hand-side evaluations", H5I_INVALID_HID,
                                                     nullptr));
  runs.run_axis_extras.push_back(create_run_variable(runs, "accepted_steps", H5T_STD_I64LE, 8, "1",
                                                     "accepted integrator steps", H5I_INVALID_HID, nullptr));
  runs.run_axis_extras.push_back(create_run_variable(runs, "rejected_steps", H5T_STD_I64LE, 8, "1",
                                                     "rejected integrator steps", H5I_INVALID_HID, nullptr));
  runs.run_axis_extras.push_back(create_run_variable(
      runs, "seed", H5T_STD_U64LE, 8, "1", "seed of the run's random streams", H5I_INVALID_HID, nullptr));
  for (const std::string& name : {std::string("foresight_iterations"), std::string("foresight_residual")})
    runs.run_axis_extras.push_back(create_foresight_column(name));
}

h5::Handle ResultsFileWriter::Impl::create_foresight_column(const std::string& name) {
  if (name == "foresight_iterations")
    return create_run_variable(runs, name, H5T_STD_I64LE, 8, "1",
                               "perfect foresight: runs the fixed point took (0: myopic)", H5I_INVALID_HID,
                               nullptr);
  h5::Handle residual = create_run_variable(
      runs, name, H5T_IEEE_F64LE, 8, "1",
      "perfect foresight: scaled residual of the fixed point at its last iteration (NaN: myopic)",
      H5T_NATIVE_DOUBLE, &NAN_DOUBLE);
  h5::write_attribute(residual.id(), "_FillValue", NAN_DOUBLE);
  return residual;
}

void ResultsFileWriter::Impl::grow_to(hsize_t length) {
  if (length <= run_count) return;
  for (StoredGroup* group : groups()) {
    h5::extend_first_axis(group->run_coordinate.id(), length);
    for (StoredVariable& variable : group->variables) h5::extend_first_axis(variable.dataset.id(), length);
    for (h5::Handle& extra : group->run_axis_extras) h5::extend_first_axis(extra.id(), length);
    // The run coordinate is written for the whole new range at once, so it
    // stays 0..n-1 (plus the file's offset) even when batches arrive out of order.
    for (hsize_t start = run_count; start < length; start += RUN_COORDINATE_PIECE) {
      const hsize_t end = std::min(length, start + RUN_COORDINATE_PIECE);
      std::vector<std::int64_t> indices;
      indices.reserve(static_cast<std::size_t>(end - start));
      for (hsize_t position = start; position < end; ++position)
        indices.push_back(layout.first_run_index + static_cast<std::int64_t>(position));
      h5::write_hyperslab(group->run_coordinate.id(), H5T_NATIVE_INT64, {start}, {end - start},
                          indices.data());
    }
  }
  run_count = length;
}

void ResultsFileWriter::Impl::write_variables(StoredGroup& group, hsize_t position,
                                              const std::vector<RunRecord>& batch, bool is_trajectory) {
  const std::string group_name = is_trajectory ? "trajectories" : "summary";
  for (StoredVariable& variable : group.variables) {
    std::vector<double> buffer(batch.size() * variable.per_run_size, NAN_DOUBLE);
    for (std::size_t b = 0; b < batch.size(); ++b) {
      const RunResults& run = *batch[b].results;
      const std::int64_t run_index = layout.first_run_index + static_cast<std::int64_t>(position + b);
      const std::string where = partial_path + ": run " + std::to_string(run_index) + ", /" + group_name +
                                "/" + variable.spec.name + ": ";
      const auto& source = is_trajectory ? run.trajectories : run.summary;
      auto found = std::find_if(source.begin(), source.end(),
                                [&](const Variable& v) { return v.name == variable.spec.name; });
      if (found == source.end()) {
        if (run.status == RunStatus::ok) throw IoError(where + "missing from a run that ended ok");
        continue; // a run that failed before producing it: NaN
      }
      if (found->dims != variable.spec.dims)
        throw IoError(where + "dims (" + join(found->dims, ", ") + ") differ from the layout's (" +
                      join(variable.spec.dims, ", ") + ")");
      // A run that stopped early (failure, Kessler cascade) may hold fewer
      // time points than the layout; its prefix is stored and the rest stays NaN.
      const bool may_be_short = run.status != RunStatus::ok && !variable.spec.dims.empty() &&
                                variable.spec.dims.front() == "time" && run.time.size() < layout.time.size();
      const std::size_t expected = may_be_short && !layout.time.empty()
                                       ? variable.per_run_size / layout.time.size() * run.time.size()
                                       : variable.per_run_size;
      if (found->data.size() != expected)
        throw IoError(where + "has " + std::to_string(found->data.size()) + " values, expected " +
                      std::to_string(expected));
      std::copy(found->data.begin(), found->data.end(),
                buffer.begin() + static_cast<std::ptrdiff_t>(b * variable.per_run_size));
    }
    std::vector<hsize_t> start = {position};
    std::vector<hsize_t> count = {batch.size()};
    for (hsize_t length : variable.per_run_dims) {
      start.push_back(0);
      count.push_back(length);
    }
    // HDF5 converts double to the file's float32 when trajectories are stored narrow.
    h5::write_hyperslab(variable.dataset.id(), H5T_NATIVE_DOUBLE, start, count, buffer.data());
  }
}

void ResultsFileWriter::Impl::write_run_table(hsize_t position, const std::vector<RunRecord>& batch) {
  const std::size_t n = batch.size();
  std::vector<std::int8_t> status(n);
  std::vector<std::string> message(n);
  std::vector<double> stop_time(n), wall_seconds(n);
  std::vector<std::int64_t> rhs(n), accepted(n), rejected(n), iterations(n);
  std::vector<double> residual(n);
  std::vector<std::uint64_t> seed(n);
  for (std::size_t b = 0; b < n; ++b) {
    const RunResults& run = *batch[b].results;
    status[b] = static_cast<std::int8_t>(run.status);
    message[b] = run.message;
    stop_time[b] = run.stop_time;
    wall_seconds[b] = run.wall_seconds;
    rhs[b] = run.rhs_evaluations;
    accepted[b] = run.accepted_steps;
    rejected[b] = run.rejected_steps;
    seed[b] = batch[b].seed;
    iterations[b] = run.foresight_iterations;
    residual[b] = run.foresight_residual;
  }
  auto& extras = runs.run_axis_extras; // in RUN_TABLE order
  h5::write_hyperslab(extras[0].id(), H5T_NATIVE_INT8, {position}, {n}, status.data());
  h5::write_strings(extras[1].id(), position, message);
  h5::write_hyperslab(extras[2].id(), H5T_NATIVE_DOUBLE, {position}, {n}, stop_time.data());
  h5::write_hyperslab(extras[3].id(), H5T_NATIVE_DOUBLE, {position}, {n}, wall_seconds.data());
  h5::write_hyperslab(extras[4].id(), H5T_NATIVE_INT64, {position}, {n}, rhs.data());
  h5::write_hyperslab(extras[5].id(), H5T_NATIVE_INT64, {position}, {n}, accepted.data());
  h5::write_hyperslab(extras[6].id(), H5T_NATIVE_INT64, {position}, {n}, rejected.data());
  h5::write_hyperslab(extras[7].id(), H5T_NATIVE_UINT64, {position}, {n}, seed.data());
  h5::write_hyperslab(extras[8].id(), H5T_NATIVE_INT64, {position}, {n}, iterations.data());
  h5::write_hyperslab(extras[9].id(), H5T_NATIVE_DOUBLE, {position}, {n}, residual.data());

  for (std::size_t p = 0; p < parameters.variables.size(); ++p) {
    std::vector<double> values(n);
    for (std::size_t b = 0; b < n; ++b) values[b] = batch[b].parameter_values[p];
    h5::write_hyperslab(parameters.variables[p].dataset.id(), H5T_NATIVE_DOUBLE, {position}, {n},
                        values.data());
  }
}

void ResultsFileWriter::Impl::close_all() {
  checkpoint_state = h5::Handle{};
  checkpoint_element = h5::Handle{};
  checkpoint_group = h5::Handle{};
  trajectories = StoredGroup{};
  summary = StoredGroup{};
  parameters = StoredGroup{};
  runs = StoredGroup{};
  file.close();
}

ResultsFileWriter::ResultsFileWriter(std::string final_path, ResultsLayout layout, Provenance provenance)
    : impl_(std::make_unique<Impl>()) {
  h5::silence_error_printing();
  impl_->final_path = std::move(final_path);
  impl_->partial_path = partial_path_for(impl_->final_path);
  impl_->layout = std::move(layout);
  impl_->provenance = std::move(provenance);
  // A stale NAME.partial (a killed writer's) is replaced; one that another
  // process is writing (it holds its lock) is not.
  const std::string partial = impl_->partial_path;
  if (locked_by_another_process(partial))
    throw IoError(partial + " is being written by another ARCM process right now (it holds the file's lock): "
                            "wait for it to finish, or stop it first");
  // Built under another name and renamed once its skeleton is complete, so
  // a kill during creation never leaves a NAME.partial HDF5 cannot open.
  impl_->partial_path = partial + ".new";
  try {
    impl_->create();
    impl_->close_all();
    rename_file(impl_->partial_path, partial);
  } catch (...) {
    std::remove(impl_->partial_path.c_str());
    throw;
  }
  impl_->partial_path = partial;
  // Reopen for the handles; the caller's layout stays the writer's layout,
  // since it may know coordinates no stored variable uses yet (write_ensemble).
  ResultsLayout given = std::move(impl_->layout);
  impl_->layout = ResultsLayout{};
  impl_->open_existing(true);
  impl_->layout = std::move(given);
}

ResultsFileWriter::ResultsFileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ResultsFileWriter::~ResultsFileWriter() = default;
ResultsFileWriter::ResultsFileWriter(ResultsFileWriter&&) noexcept = default;
ResultsFileWriter& ResultsFileWriter::operator=(ResultsFileWriter&&) noexcept = default;

void ResultsFileWriter::append_runs(std::int64_t first_run_index, const std::vector<RunRecord>& batch) {
  h5::silence_error_printing();
  Impl& state = *impl_;
  if (state.finished) throw IoError(state.final_path + ": append_runs after finish()");
  if (batch.empty()) return;
  if (first_run_index < state.layout.first_run_index)
    throw IoError(state.partial_path + ": run " + std::to_string(first_run_index) +
                  " is before the file's first run " + std::to_string(state.layout.first_run_index));
  for (std::size_t b = 0; b < batch.size(); ++b) {
    const std::string where =
        state.partial_path + ": run " + std::to_string(first_run_index + static_cast<std::int64_t>(b));
    if (batch[b].results == nullptr) throw IoError(where + ": no results given");
    if (batch[b].parameter_values.size() != state.layout.parameters.size())
      throw IoError(where + ": " + std::to_string(batch[b].parameter_values.size()) +
                    " parameter values for " + std::to_string(state.layout.parameters.size()) +
                    " parameters");
  }
  const auto position = static_cast<hsize_t>(first_run_index - state.layout.first_run_index);
  state.grow_to(position + batch.size());
  if (state.has_trajectories) state.write_variables(state.trajectories, position, batch, true);
  state.write_variables(state.summary, position, batch, false);
  state.write_run_table(position, batch);
  // One flush per batch: a sweep killed later still leaves every finished
  // batch readable in NAME.partial.
  h5::flush(state.file.id());
  // Hand HDF5's free lists back to the heap after every batch, so memory stays
  // flat over a million-run sweep (docs/performance.md).
  H5garbage_collect();
}

std::size_t ResultsFileWriter::run_count() const {
  return static_cast<std::size_t>(impl_->run_count);
}

std::int64_t ResultsFileWriter::run_chunk() const {
  return impl_->layout.run_chunk;
}

void ResultsFileWriter::finish(bool keep_checkpoint) {
  h5::silence_error_printing();
  Impl& state = *impl_;
  if (state.finished) return;
  state.checkpoint_state = h5::Handle{};
  state.checkpoint_element = h5::Handle{};
  state.checkpoint_group = h5::Handle{};
  // Without a later update() in mind a finished file needs no resume state.
  // HDF5 1.10 keeps the freed bytes inside the file (docs/output-format.md
  // says how to reclaim them).
  if (!keep_checkpoint && h5::link_exists(state.file.id(), CHECKPOINT_GROUP))
    h5::delete_link(state.file.id(), CHECKPOINT_GROUP);
  h5::flush(state.file.id());
  state.close_all();
  // Make the bytes durable before the name says the file is complete, and
  // the new name durable before finish() returns.
  sync_file_at(state.partial_path);
  rename_file(state.partial_path, state.final_path);
  sync_directory_of(state.final_path);
  state.finished = true;
}

const std::string& ResultsFileWriter::final_path() const {
  return impl_->final_path;
}
const std::string& ResultsFileWriter::partial_path() const {
  return impl_->partial_path;
}
std::string ResultsFileWriter::partial_path_for(const std::string& final_path) {
  return final_path + ".partial";
}

void write_single_run(const std::string& path, const RunResults& results, const Provenance& provenance,
                      std::uint64_t seed, bool store_trajectories,
                      const std::vector<std::string>& trajectory_names, Precision trajectory_precision,
                      bool compress_trajectories) {
  ResultsLayout layout = ResultsLayout::from_run(results);
  layout.store_trajectories = store_trajectories;
  layout.trajectory_precision = trajectory_precision;
  layout.compress_trajectories = compress_trajectories;
  if (!trajectory_names.empty()) layout.select_trajectories(trajectory_names);
  ResultsFileWriter writer(path, std::move(layout), provenance);
  writer.append_runs(0, {RunRecord{&results, {}, seed}});
  writer.finish();
}

} // namespace arcm::io
