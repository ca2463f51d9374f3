// Sweep files (config/sweeps/, documented in config/README.md): a base
// scenario, the parameters to vary by their path in the scenario, and one
// sampling design. Parsed once into a SweepDefinition and checked before any
// run starts; every error names the sweep file, line, column and key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "scenario/parameter_path.hpp"
#include "scenario/source_map.hpp"
#include "sweep/designs.hpp"
#include "sweep/distributions.hpp"

namespace arcm {

enum class DesignKind { grid, scenarios, monte_carlo, latin_hypercube, sobol, morris };
const char* to_string(DesignKind kind);

//! One varied parameter.
struct SweepParameter {
  std::string path;                              //!< dotted scenario path, e.g. actors.spacex.progress_ratio
  SourceLocation where;                          //!< where the sweep file names it
  std::vector<ParameterPath> resolved;           //!< resolved against each base scenario
  std::vector<double> grid_values;               //!< grid and scenarios designs: the axis values
  std::vector<sweep::Distribution> distribution; //!< sampling designs: exactly one distribution
};

//! Output choices of a sweep. YAML section `output`.
struct SweepOutput {
  bool all_trajectories{false};          //!< [trajectories: all]
  std::vector<std::string> trajectories; //!< [trajectories: [names]]; empty + !all = none (default)
  bool single_precision{false};          //!< [precision: float32]
  //! [compression: none (default) | deflate] for stored trajectories. None by
  //! default because a run's float64 trajectories compress only ~1.5 : 1 and
  //! deflating them costs about as much CPU as the run (docs/performance.md).
  bool compress{false};
  bool all_ensemble{true};           //!< [ensemble: all] (default)
  std::vector<std::string> ensemble; //!< [ensemble: [names]] or none
  std::size_t batch_size{0};         //!< [batch_size] runs per write; 0 = automatic
};

//! A whole, validated sweep.
struct SweepDefinition {
  std::string name;
  std::string description;
  std::string source_file;
  std::vector<std::string> scenario_files; //!< one base scenario, or the `scenarios` design's list
  std::vector<Scenario> scenarios;         //!< loaded and validated, same order
  DesignKind design{DesignKind::grid};
  std::vector<SweepParameter> parameters;
  std::size_t runs{0};         //!< monte_carlo, latin_hypercube: number of runs
  std::size_t base_samples{0}; //!< sobol: N (a power of two)
  std::size_t skip{0};         //!< sobol: points of the sequence skipped
  std::size_t trajectories{0}; //!< morris: r
  std::size_t levels{0};       //!< morris: p (even)
  std::uint64_t seed{0};       //!< [seed] master seed
  double run_time_limit{0};    //!< [run_time_limit] wall-clock seconds per run; 0 = none
  SweepOutput output;
  //! The design over the parameters (for `scenarios`, over the crossed grid
  //! axes; the scenario index varies slowest).
  std::shared_ptr<const sweep::Design> sampler;
  //! Where each swept path was written, so that a run's validation names the sweep file and line.
  SourceMap locations;

  std::size_t total_runs() const;
  //! Scenario index (into `scenarios`) and parameter values of run `run`.
  void run_point(std::size_t run, std::size_t& scenario_index, double* values) const;
  //! Base scenario with run `run`'s values set, validated (throws ConfigError naming the sweep file).
  Scenario scenario_for_run(std::size_t run) const;
};

//! Whether the file at `path` is a sweep file rather than a scenario: its
//! top level (after `extends:`) has `design`, `scenario` or `scenario_yaml`.
//! False also when it cannot be read or parsed (loading it as a scenario then
//! says why).
bool is_sweep_file(const std::string& path);

//! Read and check a sweep file. Throws ConfigError (file, line, column, key).
SweepDefinition load_sweep(const std::string& path);
//! As load_sweep, from text; `path` names it in messages and anchors relative paths.
SweepDefinition load_sweep_from_string(const std::string& text, const std::string& path);

//! The fully resolved sweep: a valid sweep file in canonical form with every
//! base scenario inlined fully resolved (`scenario_yaml`). Stored in results
//! files, so a run can be repeated from the file alone; its hash identifies
//! the sweep for --resume.
std::string resolved_sweep_yaml(const SweepDefinition& sweep);

//! A stable 64-bit FNV-1a hash of a text, as 16 hex digits.
std::string definition_hash(const std::string& text);

} // namespace arcm
