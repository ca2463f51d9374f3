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
#include "io/h5_file.hpp"

namespace arcm::io {

namespace {

// Every dimension the format knows, in the order coordinates are created in
// each group (run first: it is the unlimited axis of every variable).
const std::vector<std::string> KNOWN_DIMS = {"run",         "time", "actor", "resource",
                                             "beneficiary", "bloc", "kind"};

// Non-index coordinates along `actor`; readers skip them when listing data variables.
const std::vector<std::string> ACTOR_COORDINATES = {"actor_kind", "actor_bloc"};

// The /runs bookkeeping variables, in the order create_runs_group creates
// them (run_axis_extras) and write_run_table writes them.
const std::vector<std::string> RUN_TABLE = {
    "status",          "message",        "stop_time",      "wall_seconds",
    "rhs_evaluations", "accepted_steps", "rejected_steps", "seed"};

// The /ensemble axis of statistics; not in KNOWN_DIMS because only /ensemble
// has it, and no variable may list it among its own dims.
const char* const STATISTIC_DIM = "statistic";

// The /checkpoint group, its dimension and its data (docs/output-format.md).
const char* const CHECKPOINT_GROUP = "checkpoint";
const char* const CHECKPOINT_DIM = "checkpoint_element";
const char* const CHECKPOINT_STATE = "state";
const char* const CHECKPOINT_NEXT_RUN = "next_run";
// At most 256 KiB of float64 per checkpoint chunk. The state is stored uncompressed
// so that rewriting it after every batch overwrites the same fixed-size
// chunks in place instead of allocating new space each time.
constexpr hsize_t CHECKPOINT_CHUNK = 32 * 1024;

// At most this many run indices are written per call when the run axis grows,
// so reserving millions of runs does not build one huge buffer.
constexpr hsize_t RUN_COORDINATE_PIECE = 1 << 20;

constexpr double NAN_DOUBLE = std::numeric_limits<double>::quiet_NaN();
constexpr float NAN_FLOAT = std::numeric_limits<float>::quiet_NaN();

// Chunks of about this many bytes (before compression) along the run axis:
// large enough that a sweep of millions of small runs does not drown in chunk
// index entries, small enough that one chunk of a single-run file stays cheap.
constexpr std::size_t TARGET_CHUNK_BYTES = 256 * 1024;
constexpr std::size_t MAX_RUNS_PER_CHUNK = 1024;

std::size_t runs_per_chunk(std::size_t bytes_per_run) {
  const std::size_t runs = TARGET_CHUNK_BYTES / std::max<std::size_t>(bytes_per_run, 1);
  return std::clamp<std::size_t>(runs, 1, MAX_RUNS_PER_CHUNK);
}

// Chunk shape of a dataset with a leading run axis and `per_run_dims` after
// it. Automatic (run_chunk 0): whole runs, as many as fit TARGET_CHUNK_BYTES.
// Fixed run_chunk: exactly that many runs, which is what keeps batches of
// whole chunks from ever sharing a chunk; when run_chunk runs of the variable
// exceed TARGET_CHUNK_BYTES, the per-run axes are cut instead, outermost
// (time) first, keeping the inner axes whole as long as they fit, so a chunk
// still holds a contiguous block of each run.
std::vector<hsize_t> run_axis_chunk(std::int64_t run_chunk, const std::vector<hsize_t>& per_run_dims,
                                    std::size_t element_bytes) {
  std::vector<hsize_t> inner;
  std::size_t per_run = 1;
  for (hsize_t length : per_run_dims) {
    inner.push_back(std::max<hsize_t>(length, 1));
    per_run *= static_cast<std::size_t>(std::max<hsize_t>(length, 1));
  }
  std::vector<hsize_t> chunk;
  if (run_chunk <= 0) {
    chunk.push_back(runs_per_chunk(per_run * element_bytes));
  } else {
    chunk.push_back(static_cast<hsize_t>(run_chunk));
    const hsize_t budget = std::max<hsize_t>(
        1, TARGET_CHUNK_BYTES / (static_cast<hsize_t>(run_chunk) * std::max<std::size_t>(element_bytes, 1)));
    hsize_t kept = 1;
    bool cut = false;
    for (std::size_t axis = inner.size(); axis-- > 0;) {
      if (cut) {
        inner[axis] = 1;
      } else if (kept * inner[axis] <= budget) {
        kept *= inner[axis];
      } else {
        inner[axis] = std::max<hsize_t>(1, budget / kept);
        cut = true;
      }
    }
  }
  chunk.insert(chunk.end(), inner.begin(), inner.end());
  return chunk;
}

// fsync of a directory, so a rename() or a newly created file in it survives
// a power loss.
void sync_directory_of(const std::string& path) {
  std::string directory = ".";
  const std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos) directory = slash == 0 ? "/" : path.substr(0, slash);
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (descriptor < 0)
    throw IoError("cannot open directory '" + directory + "' to fsync it: " + std::strerror(errno));
  const int status = ::fsync(descriptor);
  const int error = errno;
  ::close(descriptor);
  if (status != 0) throw IoError("cannot fsync directory '" + directory + "': " + std::strerror(error));
}

void sync_file_at(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY);
  if (descriptor < 0) throw IoError("cannot open '" + path + "' to fsync it: " + std::strerror(errno));
  const int status = ::fsync(descriptor);
  const int error = errno;
  ::close(descriptor);
  if (status != 0) throw IoError("cannot fsync '" + path + "': " + std::strerror(error));
}

//! Closes a POSIX file descriptor on every path out of a scope.
struct Descriptor {
  int fd{-1};
  explicit Descriptor(int descriptor) : fd(descriptor) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// Copies `from` byte for byte into a new file `to` with the same permission
// bits and fsyncs it. `to` is created with O_EXCL, so an existing `to` (an
// unfinished sweep's or update's NAME.partial) is never truncated, even by a
// racing process; on any other failure the half-written `to` is removed.
void copy_file_exclusive(const std::string& from, const std::string& to) {
  const Descriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) throw IoError("cannot open '" + from + "' to copy it: " + std::strerror(errno));
  struct stat status {};
  if (::fstat(in.fd, &status) != 0) throw IoError("cannot stat '" + from + "': " + std::strerror(errno));
  Descriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
  if (out.fd < 0) {
    const int error = errno;
    if (error == EEXIST)
      throw IoError("'" + to + "' already exists (an unfinished sweep, or an update that did not finish; '" +
                    from + "' itself is intact): finish or remove it first");
    throw IoError("cannot create '" + to + "': " + std::strerror(error));
  }
  try {
    // The copy replaces `from` on finish(), so it must keep its permissions
    // (the creation mode above is narrowed by the umask).
    if (::fchmod(out.fd, status.st_mode & 07777) != 0)
      throw IoError("cannot set the permissions of '" + to + "': " + std::strerror(errno));
    std::vector<char> buffer(1 << 20);
    for (;;) {
      const ssize_t got = ::read(in.fd, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw IoError("cannot read '" + from + "': " + std::strerror(errno));
      if (got == 0) break;
      for (ssize_t done = 0; done < got;) {
        const ssize_t put = ::write(out.fd, buffer.data() + done, static_cast<std::size_t>(got - done));
        if (put < 0 && errno == EINTR) continue;
        if (put < 0) throw IoError("cannot write '" + to + "': " + std::strerror(errno));
        done += put;
      }
    }
    if (::fsync(out.fd) != 0) throw IoError("cannot fsync '" + to + "': " + std::strerror(errno));
    const int descriptor = out.fd;
    out.fd = -1;
    if (::close(descriptor) != 0) throw IoError("cannot close '" + to + "': " + std::strerror(errno));
  } catch (...) {
    std::remove(to.c_str());
    throw;
  }
}

void rename_file(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw IoError("cannot rename '" + from + "' to '" + to + "': " + std::strerror(errno));
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

//! A data variable with a leading run axis, and what one run of it looks like.
struct StoredVariable {
  VariableSpec spec;
  h5::Handle dataset;
  std::vector<hsize_t> per_run_dims; //!< the variable's shape without the run axis
  std::size_t per_run_size{1};       //!< product of per_run_dims
};

//! One netCDF group = one xarray Dataset: its own coordinate variables (so
//! open_dataset(group=...) gets coordinate values with both engines) and its
//! data variables.
struct StoredGroup {
  h5::Handle group;
  h5::Handle run_coordinate;
  std::vector<std::pair<std::string, h5::Handle>> coordinates; //!< every coordinate but run
  std::vector<StoredVariable> variables;
  std::vector<h5::Handle> run_axis_extras; //!< other datasets along run (the /runs bookkeeping)

  hid_t coordinate(const std::string& dim) const {
    if (dim == "run") return run_coordinate.id();
    for (const auto& [name, handle] : coordinates)
      if (name == dim) return handle.id();
    return H5I_INVALID_HID;
  }
};

} // namespace

// ---- ResultsLayout / Provenance ---------------------------------------------

const std::vector<std::string>& default_ensemble_statistics() {
  static const std::vector<std::string> statistics = {"count", "mean", "std", "min", "q05",
                                                      "q25",   "q50",  "q75", "q95", "max"};
  return statistics;
}

ResultsLayout ResultsLayout::from_run(const RunResults& sample) {
  ResultsLayout layout;
  layout.time = sample.time;
  layout.actor = sample.actor;
  layout.resource = sample.resource;
  layout.beneficiary = sample.beneficiary;
  layout.bloc = sample.bloc;
  layout.kind = sample.kind;
  layout.actor_kind = sample.actor_kind;
  layout.actor_bloc = sample.actor_bloc;
  for (const Variable& v : sample.trajectories)
    layout.trajectories.push_back({v.name, v.long_name, v.units, v.dims});
  for (const Variable& v : sample.summary) layout.summary.push_back({v.name, v.long_name, v.units, v.dims});
  return layout;
}

void ResultsLayout::select_trajectories(const std::vector<std::string>& names) {
  std::vector<VariableSpec> selected;
  for (const std::string& name : names) {
    auto found = std::find_if(trajectories.begin(), trajectories.end(),
                              [&](const VariableSpec& spec) { return spec.name == name; });
    if (found == trajectories.end())
      throw IoError("results layout: no trajectory variable '" + name + "' to store (known: " +
                    join(
                        [&] {
                          std::vector<std::string> known;
                          for (const VariableSpec& spec : trajectories) known.push_back(spec.name);
                          return known;
                        }(),
                        ", ") +
                    ")");
    selected.push_back(*found);
  }
  trajectories = std::move(selected);
}

std::size_t ResultsLayout::dim_length(const std::string& dim) const {
  if (dim == "time") return time.size();
  if (dim == "actor") return actor.size();
  if (dim == "resource") return resource.size();
  if (dim == "beneficiary") return beneficiary.size();
  if (dim == "bloc") return bloc.size();
  if (dim == "kind") return kind.size();
  throw IoError("results layout: unknown dimension '" + dim + "' (known: " + join(KNOWN_DIMS, ", ") + ")");
}

Provenance Provenance::of_this_build() {
  Provenance provenance;
  provenance.arcm_version = VERSION;
  provenance.git_commit = GIT_COMMIT;
  provenance.build_type = BUILD_TYPE;
  return provenance;
}

// ---- ResultsFileWriter ------------------------------------------------------

struct ResultsFileWriter::Impl {
  bool creating_trajectories{false}; // while /trajectories is created (its compression is optional)
  std::string final_path;
  std::string partial_path;
  ResultsLayout layout;
  Provenance provenance;
  // Declared before the groups so it is destroyed after them: HDF5 only
  // really closes a file once every object in it is closed.
  h5::Handle file;
  bool has_trajectories{false};
  StoredGroup trajectories, summary, parameters, runs;
  // /checkpoint, opened or created by the first write_checkpoint().
  h5::Handle checkpoint_group, checkpoint_element, checkpoint_state;
  hsize_t run_count{0};
  bool finished{false};
  // Whether the directory entry of the file is known to be on disk (fsynced
  // once per writer, at its first checkpoint).
  bool directory_synced{false};

  void create();
  //! Opens partial_path and reads the layout back; read-only for a resume's
  //! source, writable for the writer that continues it.
  void open_existing(bool writable);
  //! The run extent shared by the chunks of every run-axis dataset, else 0.
  std::int64_t uniform_run_chunk();
  std::optional<Checkpoint> read_checkpoint_of_file();
  void store_checkpoint(std::int64_t next_run, const std::vector<double>& state_values);
  //! Copies rows [0, rows) of every run-axis data variable of `source` into
  //! this (freshly created, same layout) file.
  void copy_prefix_from(Impl& source, hsize_t rows);
  void open_group_contents(StoredGroup& group, const std::string& name, std::vector<VariableSpec>* specs,
                           bool has_run_axis = true);
  void upgrade_minor_version();
  void write_ensemble_group(const std::vector<std::string>& statistics,
                            const std::vector<EnsembleVariable>& variables);
  void open_or_create_checkpoint(hsize_t first_length);
  void write_root_attributes();
  StoredGroup create_group(const std::string& name, const std::string& description,
                           const std::vector<VariableSpec>& specs, hid_t value_type, bool is_float32);
  void create_coordinates(StoredGroup& group, const std::vector<std::string>& dims);
  StoredVariable create_variable(StoredGroup& group, const VariableSpec& spec, hid_t value_type,
                                 bool is_float32);
  void create_runs_group();
  h5::Handle create_run_variable(StoredGroup& group, const std::string& name, hid_t type, hsize_t bytes,
                                 const std::string& units, const std::string& long_name, hid_t fill_type,
                                 const void* fill);
  void grow_to(hsize_t length);
  std::vector<StoredGroup*> groups();
  void write_variables(StoredGroup& group, hsize_t position, const std::vector<RunRecord>& batch,
                       bool is_trajectory);
  void write_run_table(hsize_t position, const std::vector<RunRecord>& batch);
  void close_all();
};

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
  std::vector<std::int64_t> rhs(n), accepted(n), rejected(n);
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

  for (std::size_t p = 0; p < parameters.variables.size(); ++p) {
    std::vector<double> values(n);
    for (std::size_t b = 0; b < n; ++b) values[b] = batch[b].parameter_values[p];
    h5::write_hyperslab(parameters.variables[p].dataset.id(), H5T_NATIVE_DOUBLE, {position}, {n},
                        values.data());
  }
}

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
  for (const std::string& name : RUN_TABLE)
    runs.run_axis_extras.push_back(h5::open_dataset(runs.group.id(), name));
  layout.first_run_index = h5::read_numeric_attribute<std::int64_t>(runs.group.id(), "first_run_index").at(0);
  run_count = h5::shape_of(runs.run_coordinate.id()).at(0);
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
  // Built under another name and renamed once its skeleton is complete, so
  // a kill during creation never leaves a NAME.partial HDF5 cannot open.
  const std::string partial = impl_->partial_path;
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

void ResultsFileWriter::reserve_runs(std::int64_t total_runs) {
  h5::silence_error_printing();
  Impl& state = *impl_;
  if (state.finished) throw IoError(state.final_path + ": reserve_runs after finish()");
  if (total_runs < 0)
    throw IoError(state.partial_path + ": cannot reserve " + std::to_string(total_runs) + " runs");
  state.grow_to(static_cast<hsize_t>(total_runs));
  h5::flush(state.file.id());
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
