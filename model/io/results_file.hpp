// The ARCM results file: one versioned HDF5 layout for every output (a single
// run, a sweep, a shard, a merged file) that xarray (netcdf4 and h5netcdf
// engines), h5py and netCDF-C open directly. docs/output-format.md is the
// field-by-field description; this header is the C++ side of it.
//
// Writing is incremental: a ResultsFileWriter creates NAME.partial, appends
// batches of runs along the unlimited `run` axis (flushing after each batch so
// a killed sweep leaves a readable prefix), and finish() renames the file to
// NAME. A reader therefore never sees a half-written file under its final name.
// A sweep also stores statistics across its runs (/ensemble, write_ensemble)
// and, after every batch, the state it needs to resume bit for bit
// (/checkpoint, write_checkpoint). A finished sweep may keep its last
// checkpoint (finish(true)) so that update() can later rerun failed runs and
// fold them into the ensemble without touching the file until it finishes.
//
// No HDF5 types appear here (the writer and reader hold them behind a pimpl).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/results.hpp"

namespace arcm::io {

//! Value of the root attribute `filetype`.
inline constexpr const char* RESULTS_FILETYPE = "arcm-results";
//! Root attribute `format_version` = [major, minor]. A new field bumps minor;
//! a changed meaning or layout of an existing field bumps major. Readers
//! refuse any other major version.
inline constexpr int RESULTS_FORMAT_MAJOR = 1;
inline constexpr int RESULTS_FORMAT_MINOR = 2;

//! The statistics of /ensemble, in order, unless the writer is given others:
//! count, mean, std, min, q05, q25, q50, q75, q95, max (docs/output-format.md).
const std::vector<std::string>& default_ensemble_statistics();

//! Floating-point width of trajectory variables in the file (summary,
//! parameters and coordinates are always float64).
enum class Precision { float64, float32 };

//! Name, metadata and per-run dimensions (without the leading `run`) of one
//! stored variable.
struct VariableSpec {
  std::string name;
  std::string long_name;
  std::string units;
  std::vector<std::string> dims; //!< e.g. {"time", "actor", "resource"}; {} for a per-run scalar
};

//! Everything about a file that is fixed when it is created: coordinates,
//! which variables it holds, and how trajectories are stored.
struct ResultsLayout {
  std::vector<double> time;             //!< output years [yr]
  std::vector<std::string> actor;       //!< actor ids
  std::vector<std::string> resource;    //!< resource ids
  std::vector<std::string> beneficiary; //!< beneficiary ids
  std::vector<std::string> bloc;        //!< bloc names
  std::vector<std::string> kind;        //!< actor kinds, {"state", "firm"}
  std::vector<std::string> actor_kind;  //!< kind of each actor (non-index coordinate on actor)
  std::vector<std::string> actor_bloc;  //!< bloc of each actor, "" for none (non-index coordinate on actor)

  std::vector<VariableSpec> trajectories; //!< stored trajectory variables (leading dim "time")
  std::vector<VariableSpec> summary;      //!< per-run metrics
  std::vector<VariableSpec>
      parameters;                //!< swept or sampled parameters, each one float64 per run (dims ignored)
  bool store_trajectories{true}; //!< false: summary-only file, no /trajectories group
  Precision trajectory_precision{Precision::float64};
  //! Global index of the file's first run: a shard holding runs 1000..1999 of
  //! a sweep uses 1000, so the `run` coordinate keeps sweep-wide indices.
  std::int64_t first_run_index{0};
  //! Ensemble variables declared up front (dims include "time", no "run").
  //! When non-empty the writer creates /ensemble at once, all NaN, and
  //! write_ensemble() fills it later. Declaring them matters for resuming a
  //! summary-only file: /ensemble is then the only group that keeps the
  //! `time` (and other) coordinates a later write_ensemble() needs.
  std::vector<VariableSpec> ensemble;
  //! Statistics of the declared /ensemble placeholder.
  std::vector<std::string> ensemble_statistics{default_ensemble_statistics()};
  //! Runs per chunk along `run`, the same for every dataset with a run axis,
  //! counted from first_run_index (docs/output-format.md, "Chunks and
  //! crash safety"). A sweep that appends batches of whole chunks then never
  //! rewrites a chunk that holds earlier runs, so a kill cannot damage runs
  //! that were already checkpointed. Large per-run variables are split along
  //! their other axes to keep chunks near 256 KiB. 0 = automatic: about
  //! 256 KiB per chunk, at most 1024 runs, chosen per variable (no alignment).
  std::int64_t run_chunk{0};
  //! Shuffle + deflate on /trajectories (true, the default). ARCM trajectories
  //! compress only about 1.6 : 1 and zlib manages ~30 MB/s on them, so for
  //! sweeps that store every trajectory the compression can cost as much as
  //! the model; false stores them chunked but unfiltered (output.compression: none).
  bool compress_trajectories{true};

  //! The coordinates and every trajectory and summary variable of `sample`.
  static ResultsLayout from_run(const RunResults& sample);
  //! Keeps only the named trajectory variables, in the given order (the
  //! scenario's output section). Throws IoError on a name the layout lacks.
  void select_trajectories(const std::vector<std::string>& names);
  //! Length of a dimension by name ("time", "actor", ...); throws IoError if unknown.
  std::size_t dim_length(const std::string& dim) const;
};

//! Whether another process holds the lock of the file at `path` (HDF5 locks
//! a file it has open for writing), e.g. a sweep still writing its
//! NAME.partial. False when the file does not exist or cannot be opened.
bool locked_by_another_process(const std::string& path);

//! The current UTC time as ISO 8601, e.g. "2026-11-30T04:26:10Z" (the
//! `created_utc` of files and groups).
std::string utc_now_iso8601();

//! How a file was made; stored as root attributes. The defaults come from the
//! build (version, commit, build type); created_utc is stamped by the writer
//! when left empty.
struct Provenance {
  std::string resolved_yaml;         //!< the fully resolved scenario or sweep YAML
  std::string yaml_kind{"scenario"}; //!< "scenario" or "sweep"
  std::uint64_t master_seed{0};      //!< seed every per-run seed is derived from
  std::int32_t threads{1};           //!< threads used
  std::int32_t processes{1};         //!< processes (shards, MPI ranks) used
  std::string arcm_version;          //!< default: arcm::VERSION
  std::string git_commit;            //!< default: arcm::GIT_COMMIT
  std::string build_type;            //!< default: arcm::BUILD_TYPE
  std::string created_utc;           //!< ISO 8601, e.g. "2026-11-30T04:26:10Z"
  //! Hash of the resolved sweep definition, so a resumed or merged file can
  //! be matched to its sweep; "" for a single run. (format 1.1)
  std::string definition_hash;
  std::string design{"single_run"}; //!< sampling design: "grid", "sobol", ..., "single_run" (format 1.1)
  std::int64_t total_runs{1};       //!< runs of the complete sweep; 1 for a single run (format 1.1)

  //! Provenance of the running build, with created_utc left to the writer.
  static Provenance of_this_build();
};

//! One run to append: its results, its parameter values (in the order of
//! ResultsLayout::parameters) and the seed it used.
struct RunRecord {
  const RunResults* results{nullptr};
  std::vector<double> parameter_values;
  std::uint64_t seed{0};
};

//! One variable of /ensemble: statistics across runs of a trajectory
//! variable, stored as (statistic, ...spec.dims) float64.
struct EnsembleVariable {
  VariableSpec spec; //!< name, long_name and units of the trajectory variable; dims include "time"
  //! Statistic-major: values[s * elements + i] is statistic s at the
  //! variable's C-order element i. Empty writes NaN everywhere.
  std::vector<double> values;
};

//! The sweep driver's state after a batch (the /checkpoint group): in
//! NAME.partial where to resume; in a finished sweep file written with
//! finish(true), the final state (next_run = end of the run range).
struct Checkpoint {
  std::int64_t next_run{0};  //!< first sweep-wide run index whose results are not yet in the file
  std::vector<double> state; //!< opaque caller state (the ensemble accumulators)
};

//! Thrown by ResultsFileWriter::resume() when NAME.partial exists but cannot
//! be opened, or its layout, checkpoint or checkpointed runs cannot be read
//! back intact. Nothing of it can be trusted: the caller starts the file's
//! run range over from its first run with a new writer (the constructor
//! replaces the damaged NAME.partial). A missing partial, a foreign file or
//! another major format version are plain IoErrors instead.
class DamagedPartialError : public IoError {
public:
  using IoError::IoError;
};

//! What ResultsFileWriter::resume() recovered.
struct ResumeInfo {
  //! The partial's checkpoint; nullopt when it had none (killed before the
  //! first one, or while one was being replaced).
  std::optional<Checkpoint> checkpoint;
  //! First run the caller must compute: checkpoint->next_run, or
  //! first_run_index without a checkpoint.
  std::int64_t next_run{0};
  std::int64_t first_run_index{0};
  std::size_t run_count{0}; //!< length of the run axis (the runs reserved so far)
  std::int64_t run_chunk{0};
  Provenance provenance;
};

//! Writes one results file incrementally; use from one thread.
class ResultsFileWriter {
public:
  //! Creates `final_path`.partial (truncating a stale one) with the root
  //! attributes, groups, coordinates and empty variables.
  ResultsFileWriter(std::string final_path, ResultsLayout layout, Provenance provenance);
  //! Without finish(), closes the file and leaves NAME.partial in place so a
  //! killed or failed sweep can be inspected or resumed. For a writer from
  //! update(), NAME stays exactly as it was and NAME.partial is the unfinished
  //! copy (the caller removes it).
  ~ResultsFileWriter();
  ResultsFileWriter(ResultsFileWriter&&) noexcept;
  ResultsFileWriter& operator=(ResultsFileWriter&&) noexcept;
  ResultsFileWriter(const ResultsFileWriter&) = delete;
  ResultsFileWriter& operator=(const ResultsFileWriter&) = delete;

  //! Continues the NAME.partial that a killed or failed writer left for
  //! `final_path`, without trusting anything after its checkpoint. The
  //! partial is only read: its layout, provenance, run axis length and
  //! checkpoint go into a fresh NAME.partial.rebuild together with the runs
  //! [first_run_index, checkpoint.next_run) (copied bit for bit, chunk row by
  //! chunk row) and the declared /ensemble placeholder; that file is fsynced
  //! and renamed over NAME.partial. Runs from next_run on read as not_run and
  //! NaN; without a checkpoint the rebuilt file holds no run at all. `info`
  //! (optional) receives the checkpoint and where to continue.
  //! Throws DamagedPartialError when the partial cannot be opened or read
  //! back (start the range over), IoError when there is no partial, it is
  //! not an ARCM file of this major version, or the rebuild cannot be written
  //! (NAME.partial is then left as it was).
  static ResultsFileWriter resume(const std::string& final_path, ResumeInfo* info = nullptr);

  //! Opens the FINISHED file `final_path` for changes (e.g. rerunning its
  //! failed runs) without risking it: copies it byte for byte to
  //! NAME.partial (created exclusively, then fsynced), opens the copy
  //! writable with its layout read back as resume() does, and returns a
  //! writer on the copy. append_runs() may then overwrite any run,
  //! write_ensemble() and write_checkpoint() replace /ensemble and
  //! /checkpoint, and finish(keep_checkpoint) renames the copy over NAME
  //! atomically. Until then NAME is untouched; a writer destroyed without
  //! finish() leaves NAME as it was and NAME.partial behind. Throws IoError
  //! when NAME is missing or not an ARCM results file of this major version,
  //! or NAME.partial already exists (nothing is created then).
  static ResultsFileWriter update(const std::string& final_path);

  //! Writes `batch` as runs first_run_index, first_run_index + 1, ... (global
  //! indices, >= layout.first_run_index), growing the run axis as needed and
  //! flushing afterwards. Crash safety needs batches of whole chunks: with
  //! run_chunk() = c > 0, first_run_index - layout.first_run_index and the
  //! batch size are multiples of c, except a last batch that ends at the end
  //! of the reserved run axis; any other batch rewrites a chunk that holds
  //! earlier runs (correct, but a kill in the middle can damage them; in a
  //! writer from update() that is harmless, NAME being untouched until
  //! finish(), so any run may be overwritten). Runs may arrive in any order;
  //! runs never written read as status not_run with NaN data. A run whose status is not ok may lack
  //! trajectories or summary variables (NaN is stored); an ok run must have every layout variable with the
  //! layout's shape.
  void append_runs(std::int64_t first_run_index, const std::vector<RunRecord>& batch);
  //! Number of runs along the file's run axis so far.
  std::size_t run_count() const;
  //! The layout's run_chunk (0: automatic, no alignment).
  std::int64_t run_chunk() const;
  //! Writes (or replaces) /ensemble: for each variable, `statistics.size()`
  //! rows over the variable's dims. Coordinates come from the layout, so it
  //! works with or without /trajectories. Throws IoError on an unknown
  //! dimension, a wrong number of values or a bad name.
  void write_ensemble(const std::vector<std::string>& statistics,
                      const std::vector<EnsembleVariable>& variables);
  //! Stores the resume state after a batch: `next_run` is the first run not
  //! yet written, `state` any float64 vector (its length may change between
  //! calls). Call after append_runs() of the batch; the previous checkpoint
  //! is first marked incomplete, then replaced, so a kill at any point leaves
  //! either a complete checkpoint that matches the runs before its next_run,
  //! or none (read_checkpoint() -> nullopt). Each step is fsynced (three
  //! fsyncs; plus the directory once per writer), so after a power loss too
  //! a checkpoint on disk implies its runs and state are on disk.
  void write_checkpoint(std::int64_t next_run, const std::vector<double>& state);
  //! Flushes, deletes /checkpoint unless `keep_checkpoint`, closes, fsyncs
  //! and atomically renames NAME.partial to NAME (replacing NAME, for a
  //! writer from update()), then fsyncs the directory. A sweep keeps its last
  //! checkpoint, written with next_run = the end of its run range, so that
  //! a later update() can restore the final ensemble accumulators.
  void finish(bool keep_checkpoint = false);

  const std::string& final_path() const;
  const std::string& partial_path() const;
  //! "NAME.partial" for "NAME".
  static std::string partial_path_for(const std::string& final_path);

private:
  struct Impl;
  explicit ResultsFileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

//! Convenience: a file holding one run (run index 0), trajectories selected by
//! `trajectory_names` (all of them when empty and store_trajectories).
void write_single_run(const std::string& path, const RunResults& results, const Provenance& provenance,
                      std::uint64_t seed, bool store_trajectories = true,
                      const std::vector<std::string>& trajectory_names = {},
                      Precision trajectory_precision = Precision::float64, bool compress_trajectories = true);

//! What open_results() learns from a file's root and groups.
struct ResultsFileInfo {
  std::string path;
  int format_major{0};
  int format_minor{0};
  Provenance provenance;
  std::size_t run_count{0};
  std::vector<std::string> trajectory_variables; //!< empty for summary-only files
  std::vector<std::string> summary_variables;
  std::vector<std::string> parameters;
  std::vector<std::string> ensemble_variables;        //!< empty without /ensemble (format 1.1)
  std::vector<std::string> ensemble_statistics;       //!< values of /ensemble/statistic
  Precision trajectory_precision{Precision::float64}; //!< of the stored /trajectories
};

//! A numeric variable read back as float64, with its shape (run axis first;
//! statistic axis first in /ensemble).
struct NumericArray {
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

//! What a stored variable says of itself: its `units` and `long_name`, the
//! name of the dimension on each axis (the run axis first for per-run
//! variables), its shape, and whether it holds strings.
struct VariableDescription {
  std::string units;
  std::string long_name;
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  bool strings{false};
};

//! Reads a results file after checking filetype and major format version.
class ResultsFileReader {
public:
  //! Throws IoError when the file cannot be opened, is not an ARCM results
  //! file, or has a format major version other than RESULTS_FORMAT_MAJOR.
  explicit ResultsFileReader(const std::string& path);
  ~ResultsFileReader();
  ResultsFileReader(ResultsFileReader&&) noexcept;
  ResultsFileReader& operator=(ResultsFileReader&&) noexcept;
  ResultsFileReader(const ResultsFileReader&) = delete;
  ResultsFileReader& operator=(const ResultsFileReader&) = delete;

  const ResultsFileInfo& info() const;
  //! A numeric variable of a group ("trajectories", "summary", "parameters",
  //! "runs", "ensemble", "checkpoint").
  NumericArray read_numeric(const std::string& group, const std::string& name) const;
  //! Rows [first_row, first_row + rows) of a variable along its first axis
  //! (the run axis), converted to float64; shape[0] is `rows`. Throws IoError
  //! when the rows do not exist.
  NumericArray read_numeric(const std::string& group, const std::string& name, std::size_t first_row,
                            std::size_t rows) const;
  //! Rows [first_row, first_row + rows) of a 1-D string variable.
  std::vector<std::string> read_strings(const std::string& group, const std::string& name,
                                        std::size_t first_row, std::size_t rows) const;
  //! A 1-D string variable of a group (e.g. "runs"/"message", "summary"/"actor").
  std::vector<std::string> read_strings(const std::string& group, const std::string& name) const;
  //! A variable's units, long name, dimensions and shape. Throws IoError
  //! when the group or the variable does not exist.
  VariableDescription describe(const std::string& group, const std::string& name) const;
  //! Status of every run on the file's run axis (not_run for runs not yet written),
  //! which is what a resuming sweep needs.
  std::vector<RunStatus> run_status() const;
  //! The /checkpoint of a NAME.partial, or of a finished sweep file that kept
  //! it (finish(true)); nullopt when there is none (single runs, files
  //! finished without it, files killed before their first checkpoint) or
  //! when the file was killed while the checkpoint was being replaced.
  std::optional<Checkpoint> read_checkpoint() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

//! Opens, checks and summarises a results file (see ResultsFileReader).
ResultsFileInfo open_results(const std::string& path);

} // namespace arcm::io
