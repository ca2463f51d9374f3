// What the analyses read from a finished sweep file: its design rebuilt from
// the stored sweep definition (resolved_yaml) and checked against /parameters,
// each run's status, and metrics flattened into labelled outputs
// ("price_final[water]"), as docs/output-format.md (/sensitivity) names them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/results.hpp"
#include "io/results_file.hpp"
#include "scenario/sweep_file.hpp"

namespace arcm::analysis {

//! The swept parameters, in /parameters order.
struct ParameterAxis {
  std::vector<std::string> name;  //!< e.g. actors.spacex.progress_ratio
  std::vector<std::string> units; //!< the `units` of /parameters/<name>
};

//! Outputs flattened over every dimension but `run` (and `time`).
struct OutputAxis {
  std::vector<std::string> label;    //!< "tension_final", "price_final[water]", "capacity[spacex,water]"
  std::vector<std::string> variable; //!< the variable each label belongs to
  std::vector<std::string> units;    //!< that variable's units
  void append(const OutputAxis& other);
};

//! One variable read back with its outputs: values[p * per_run + k] is
//! element k of the run at position p (k runs over time-major then the
//! flattened outputs for trajectories).
struct FlatVariable {
  OutputAxis outputs;       //!< one entry per element (without time)
  std::vector<double> time; //!< the time coordinate when the variable has one (leading after run)
  std::size_t per_run{0};   //!< values per run = max(1, time.size()) * outputs
  std::vector<double> values;
};

//! A finished sweep file opened for analysis.
class SweepData {
public:
  //! Opens and checks `path` (an ARCM results file of a sweep). Throws
  //! IoError when it cannot be read, ConfigError when it is not a sweep
  //! or its /parameters do not match the design stored with it.
  explicit SweepData(const std::string& path);
  ~SweepData();
  SweepData(const SweepData&) = delete;
  SweepData& operator=(const SweepData&) = delete;

  const std::string& path() const { return path_; }
  const std::string& design_name() const { return info_.provenance.design; }
  const SweepDefinition& sweep() const { return sweep_; }
  //! Number of runs in the file.
  std::size_t runs() const { return run_index_.size(); }
  //! Sweep-wide index of the run at position p.
  std::size_t run_index(std::size_t p) const { return run_index_[p]; }
  const std::vector<RunStatus>& status() const { return status_; }
  std::size_t failed_runs() const;
  const ParameterAxis& parameters() const { return parameters_; }
  //! Parameter values, row-major by run position: x[p * d + j].
  const std::vector<double>& parameter_values() const { return parameter_values_; }

  //! Every element of every /summary variable, in file order. Runs that
  //! failed read as NaN.
  FlatVariable summary() const;
  //! One /summary output by its label (or a variable with one element by its
  //! name). Throws ConfigError naming the outputs available.
  std::vector<double> summary_output(const std::string& label) const;
  //! One /trajectories variable, time kept apart. Throws ConfigError when the
  //! file stores no such trajectory.
  FlatVariable trajectory(const std::string& name) const;

  //! Throws ConfigError unless the design is `expected` ("sobol", "morris").
  void require_design(const std::string& expected, const std::string& method) const;

private:
  FlatVariable read_flat(const std::string& group, const std::string& name, bool split_time) const;

  std::string path_;
  io::ResultsFileInfo info_;
  std::unique_ptr<io::ResultsFileReader> reader_;
  SweepDefinition sweep_;
  std::vector<std::size_t> run_index_;
  std::vector<RunStatus> status_;
  ParameterAxis parameters_;
  std::vector<double> parameter_values_;
};

//! A refused input file: ConfigError with the file named and no line.
[[noreturn]] void refuse(const std::string& path, const std::string& why);

} // namespace arcm::analysis
