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

namespace arcm::analysis {

//! Value of the layout_version attribute of every /sensitivity subgroup.
inline constexpr std::int32_t SENSITIVITY_LAYOUT_MAJOR = 1;
inline constexpr std::int32_t SENSITIVITY_LAYOUT_MINOR = 0;

//! A dimension and its coordinate variable: string labels or numbers.
struct Dimension {
  std::string name;
  std::vector<std::string> labels;    //!< string coordinate (when numbers is empty)
  std::vector<double> numbers;        //!< float64 coordinate
  std::vector<std::int64_t> integers; //!< int64 coordinate
  std::string units{"1"};
  std::string long_name;
  std::size_t size() const;
};

//! A string variable along one dimension, attached to it as a non-index
//! coordinate and named in the `coordinates` attribute of every variable
//! with that dimension (e.g. output_units along output).
struct LabelCoordinate {
  std::string name;
  std::string dimension;
  std::vector<std::string> labels;
  std::string long_name;
};

//! A data variable: float64 (with _FillValue NaN), int64 or int8.
struct DataVariable {
  std::string name;
  std::vector<std::string> dims;
  std::vector<double> f64;
  std::vector<std::int64_t> i64;
  std::vector<std::int8_t> i8;
  std::string units;
  std::string long_name;
};

//! One subgroup of /sensitivity.
struct SensitivityGroup {
  std::string name; //!< "sobol", "sobol_time", "morris", "prim"
  std::string description;
  std::vector<Dimension> dimensions;
  std::vector<LabelCoordinate> labels;
  std::vector<DataVariable> variables;
  std::vector<std::pair<std::string, std::string>> text_attributes;
  std::vector<std::pair<std::string, double>> real_attributes;
  std::vector<std::pair<std::string, std::int64_t>> integer_attributes;
  std::vector<std::pair<std::string, std::uint64_t>> unsigned_attributes;
};

//! The groups each analysis writes. Sobol gives `sobol` and, with
//! trajectories, `sobol_time`.
std::vector<SensitivityGroup> sensitivity_groups(const SobolAnalysis& analysis);
std::vector<SensitivityGroup> sensitivity_groups(const MorrisAnalysis& analysis);
std::vector<SensitivityGroup> sensitivity_groups(const PrimAnalysis& analysis);

//! Writes `groups` under /sensitivity of the finished file `path`, first
//! deleting the subgroups named in `replaced` (and those being written).
//! The change goes to a copy, NAME.partial (io::ResultsFileWriter::update:
//! exclusive, fsynced), that is fsynced and renamed over NAME only when
//! complete; on any error the copy is removed and NAME is untouched.
//! Throws IoError (also when NAME.partial already exists).
void write_sensitivity(const std::string& path, const std::vector<SensitivityGroup>& groups,
                       const std::vector<std::string>& replaced = {});

} // namespace arcm::analysis
