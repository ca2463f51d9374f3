// What one run produces, as plain named arrays with dimensions and units.
// The model fills it; the HDF5 layer (model/io) writes it; nothing here knows
// about files. Dimension names are the output format's: "time", "actor",
// "resource", "beneficiary", "bloc", "kind".
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace arcm {

//! How a run ended. Values are stored as int8 flags in results files.
enum class RunStatus : std::int8_t { ok = 0, failed = 1, kessler = 2, not_run = -1 };
const char* to_string(RunStatus status);

//! One named array over named dimensions, C order, with CF metadata.
struct Variable {
  std::string name;              //!< dataset name, snake_case
  std::string long_name;         //!< human description
  std::string units;             //!< CF/UDUNITS-style unit string ("t/yr", "M$", "1", "count")
  std::vector<std::string> dims; //!< dimension names, outermost first
  std::vector<double> data;      //!< product of the dimension lengths, C order
};

//! Everything one run produces.
struct RunResults {
  // Coordinates
  std::vector<double> time;             //!< output years [yr]
  std::vector<std::string> actor;       //!< actor ids
  std::vector<std::string> resource;    //!< resource ids
  std::vector<std::string> beneficiary; //!< beneficiary ids
  std::vector<std::string> bloc;        //!< bloc names
  std::vector<std::string> kind;        //!< {"state", "firm"}
  std::vector<std::string> actor_kind;  //!< kind of each actor (non-index coordinate)
  std::vector<std::string> actor_bloc;  //!< bloc of each actor, "" for none (non-index coordinate)

  std::vector<Variable> trajectories; //!< over (time, ...)
  std::vector<Variable> summary;      //!< per-run metrics: scalars or over actor / resource / bloc

  RunStatus status{RunStatus::not_run};
  std::string message;     //!< why the run failed or stopped, "" when ok
  double stop_time{0};     //!< year the run ended (end year, or the failure/kessler time) [yr]
  double wall_seconds{0};  //!< wall-clock time of the integration [s]
  long rhs_evaluations{0}; //!< right-hand-side evaluations
  long accepted_steps{0};  //!< accepted integrator steps
  long rejected_steps{0};  //!< rejected integrator steps
  //! Perfect foresight (docs/model.md §3.15): runs with expectations the fixed point took (0: myopic).
  long foresight_iterations{0};
  //! Perfect foresight: scaled residual of the fixed point at its last iteration (NaN: myopic).
  double foresight_residual{std::numeric_limits<double>::quiet_NaN()};

  //! The variable called `name` in `trajectories` or `summary`, or nullptr.
  const Variable* find(const std::string& name) const;
  //! Length of a dimension of this run by name (throws arcm::Error if unknown).
  std::size_t dim_length(const std::string& dim) const;
};

} // namespace arcm
