// Self-describing groups in a finished results file: each group written in
// the netCDF style (coordinates as dimension scales, units and long_name on
// every variable, _FillValue NaN), so xarray opens it as a dataset. Used for
// results that are computed from a finished file and stored back into it
// (/sensitivity, written by `arcm analyze`). No HDF5 types appear here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace arcm::io {

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

//! One self-describing group: its coordinates, label coordinates, data
//! variables and attributes.
struct DataGroup {
  std::string name;
  std::string description;
  //! [major, minor] of the group's own layout, stored as its `layout_version` attribute.
  std::vector<std::int32_t> layout_version;
  std::vector<Dimension> dimensions;
  std::vector<LabelCoordinate> labels;
  std::vector<DataVariable> variables;
  std::vector<std::pair<std::string, std::string>> text_attributes;
  std::vector<std::pair<std::string, double>> real_attributes;
  std::vector<std::pair<std::string, std::int64_t>> integer_attributes;
  std::vector<std::pair<std::string, std::uint64_t>> unsigned_attributes;
};

//! Writes `groups` as subgroups of the group `parent` (created with
//! `parent_description` if missing) of the finished results file `path`,
//! first deleting the subgroups named in `replaced` and those being written.
//! The change goes to a copy, NAME.partial (ResultsFileWriter::update:
//! exclusive, fsynced), that is fsynced and renamed over NAME only when
//! complete; on any error the copy is removed and NAME is untouched. Throws
//! IoError (also when NAME.partial already exists).
void add_groups(const std::string& path, const std::string& parent, const std::string& parent_description,
                const std::vector<DataGroup>& groups, const std::vector<std::string>& replaced = {});

} // namespace arcm::io
