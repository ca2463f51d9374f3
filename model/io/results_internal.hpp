// What the parts of the results-file writer and reader share (internal to
// io/): the format's fixed names, the chunk shapes, the handles of an open
// file's groups, and the writer's state (ResultsFileWriter::Impl). Each job
// has its own source: results_layout.cpp (layout, provenance, helpers),
// results_writer.cpp (create, append, finish), results_recovery.cpp (resume
// a partial, update a finished file), results_ensemble.cpp (/ensemble and
// /checkpoint), results_reader.cpp (reading).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/h5_file.hpp"
#include "io/results_file.hpp"

namespace arcm::io {

namespace detail {

// Every dimension the format knows, in the order coordinates are created in
// each group (run first: it is the unlimited axis of every variable).
inline const std::vector<std::string> KNOWN_DIMS = {"run",         "time", "actor", "resource",
                                                    "beneficiary", "bloc", "kind"};

// Non-index coordinates along `actor`; readers skip them when listing data variables.
inline const std::vector<std::string> ACTOR_COORDINATES = {"actor_kind", "actor_bloc"};

// The /runs bookkeeping variables, in the order create_runs_group creates
// them (run_axis_extras) and write_run_table writes them. The last two are
// new in format 1.2; a file of an earlier minor version lacks them.
inline const std::vector<std::string> RUN_TABLE = {
    "status",         "message",        "stop_time", "wall_seconds",         "rhs_evaluations",
    "accepted_steps", "rejected_steps", "seed",      "foresight_iterations", "foresight_residual"};

// The /ensemble axis of statistics; not in KNOWN_DIMS because only /ensemble
// has it, and no variable may list it among its own dims.
inline bool added_in_minor_2(const std::string& run_column) {
  return run_column == "foresight_iterations" || run_column == "foresight_residual";
}

inline constexpr const char* STATISTIC_DIM = "statistic";

// The /checkpoint group, its dimension and its data (docs/output-format.md).
inline constexpr const char* CHECKPOINT_GROUP = "checkpoint";
inline constexpr const char* CHECKPOINT_DIM = "checkpoint_element";
inline constexpr const char* CHECKPOINT_STATE = "state";
inline constexpr const char* CHECKPOINT_NEXT_RUN = "next_run";
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
//! Runs per chunk along `run` for runs of `bytes_per_run` bytes.
std::size_t runs_per_chunk(std::size_t bytes_per_run);

// Chunk shape of a dataset with a leading run axis and `per_run_dims` after
// it. Automatic (run_chunk 0): whole runs, as many as fit TARGET_CHUNK_BYTES.
// Fixed run_chunk: exactly that many runs, which is what keeps batches of
// whole chunks from ever sharing a chunk; when run_chunk runs of the variable
// exceed TARGET_CHUNK_BYTES, the per-run axes are cut instead, outermost
// (time) first, keeping the inner axes whole as long as they fit, so a chunk
// still holds a contiguous block of each run.
std::vector<hsize_t> run_axis_chunk(std::int64_t run_chunk, const std::vector<hsize_t>& per_run_dims,
                                    std::size_t element_bytes);

bool contains(const std::vector<std::string>& names, const std::string& name);
std::string join(const std::vector<std::string>& parts, const std::string& separator);

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

} // namespace detail

struct ResultsFileWriter::Impl {
  using StoredGroup = detail::StoredGroup;
  using StoredVariable = detail::StoredVariable;

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
  // /runs/foresight_iterations or /runs/foresight_residual, new in format 1.2:
  // created by a writer that opens a file of an earlier minor version.
  h5::Handle create_foresight_column(const std::string& name);
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

} // namespace arcm::io
