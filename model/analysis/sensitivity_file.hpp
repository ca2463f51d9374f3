// The /sensitivity group of a results file (docs/output-format.md): each
// analysis as one self-contained netCDF-style group (coordinates as dimension
// scales, units and long_name everywhere), written into a finished file
// through a copy that replaces it atomically.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analyze.hpp"
#include "io/data_groups.hpp"

namespace arcm::analysis {

//! Value of the layout_version attribute of every /sensitivity subgroup.
inline constexpr std::int32_t SENSITIVITY_LAYOUT_MAJOR = 1;
inline constexpr std::int32_t SENSITIVITY_LAYOUT_MINOR = 0;

using io::DataVariable;
using io::Dimension;
using io::LabelCoordinate;
//! One subgroup of /sensitivity ("sobol", "sobol_time", "morris", "prim").
using SensitivityGroup = io::DataGroup;

//! The groups each analysis writes. Sobol gives `sobol` and, with
//! trajectories, `sobol_time`.
std::vector<SensitivityGroup> sensitivity_groups(const SobolAnalysis& analysis);
std::vector<SensitivityGroup> sensitivity_groups(const MorrisAnalysis& analysis);
std::vector<SensitivityGroup> sensitivity_groups(const PrimAnalysis& analysis);

//! Writes `groups` under /sensitivity of the finished file `path`, first
//! deleting the subgroups named in `replaced` (and those being written), as
//! io::add_groups does: through a copy renamed over NAME when complete.
//! Throws IoError (also when NAME.partial already exists).
void write_sensitivity(const std::string& path, std::vector<SensitivityGroup> groups,
                       const std::vector<std::string>& replaced = {});

} // namespace arcm::analysis
