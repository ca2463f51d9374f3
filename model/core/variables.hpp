// The trajectory variables the model records (docs/model.md §3.14): name,
// unit, meaning and the dimensions of one output time. This list is the
// contract between the layers: a scenario's `output.variables` must name
// these (scenario/), dynamics/outputs.cpp fills each of them, and results
// files store them with these units and long names (io/).
#pragma once

#include <string>
#include <vector>

namespace arcm {

//! One trajectory variable.
struct TrajectoryVariableInfo {
  std::string name;
  std::string long_name;
  std::string units;
  std::vector<std::string> dims; //!< without the leading "time"
};

//! Every trajectory variable in output order: the state blocks of
//! core/state.hpp first, then the derived outputs. Built once per process.
const std::vector<TrajectoryVariableInfo>& trajectory_variables();

//! Just the names, in the same order.
std::vector<std::string> trajectory_variable_names();

} // namespace arcm
