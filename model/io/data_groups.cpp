#include "io/data_groups.hpp"

#include <cstdio>
#include <limits>
#include <optional>

#include "io/h5_file.hpp"
#include "io/results_file.hpp"

namespace arcm::io {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

void write_group(hid_t parent, const DataGroup& g) {
  h5::Handle group = h5::create_group(parent, g.name);
  h5::write_attribute(group.id(), "description", g.description);
  if (!g.layout_version.empty()) h5::write_attribute(group.id(), "layout_version", g.layout_version);
  for (const auto& [name, value] : g.text_attributes) h5::write_attribute(group.id(), name, value);
  for (const auto& [name, value] : g.real_attributes) h5::write_attribute(group.id(), name, value);
  for (const auto& [name, value] : g.integer_attributes) h5::write_attribute(group.id(), name, value);
  for (const auto& [name, value] : g.unsigned_attributes) h5::write_attribute(group.id(), name, value);

  const h5::Handle string_type = h5::vlen_string_type();
  auto labels_dataset = [&](const std::string& name, const std::vector<std::string>& labels) {
    h5::DatasetOptions options;
    options.dims = {labels.size()};
    h5::Handle dataset = h5::create_dataset(group.id(), name, string_type.id(), options);
    h5::write_strings(dataset.id(), 0, labels);
    return dataset;
  };
  std::vector<std::pair<std::string, h5::Handle>> scales;
  auto scale_of = [&](const std::string& dim) -> hid_t {
    for (const auto& [name, handle] : scales)
      if (name == dim) return handle.id();
    throw IoError("/sensitivity/" + g.name + ": unknown dimension '" + dim + "'");
  };
  auto length_of = [&](const std::string& dim) -> hsize_t {
    for (const Dimension& d : g.dimensions)
      if (d.name == dim) return d.size();
    throw IoError("/sensitivity/" + g.name + ": unknown dimension '" + dim + "'");
  };
  for (const Dimension& dim : g.dimensions) {
    h5::Handle coordinate;
    h5::DatasetOptions options;
    options.dims = {dim.size()};
    if (!dim.numbers.empty()) {
      coordinate = h5::create_dataset(group.id(), dim.name, H5T_IEEE_F64LE, options);
      h5::write_all(coordinate.id(), H5T_NATIVE_DOUBLE, dim.numbers.data());
    } else if (!dim.integers.empty()) {
      coordinate = h5::create_dataset(group.id(), dim.name, H5T_STD_I64LE, options);
      h5::write_all(coordinate.id(), H5T_NATIVE_INT64, dim.integers.data());
    } else {
      coordinate = labels_dataset(dim.name, dim.labels);
    }
    h5::write_attribute(coordinate.id(), "units", dim.units);
    h5::write_attribute(coordinate.id(), "long_name", dim.long_name);
    h5::make_scale(coordinate.id(), dim.name);
    scales.emplace_back(dim.name, std::move(coordinate));
  }
  for (const LabelCoordinate& label : g.labels) {
    if (label.labels.size() != length_of(label.dimension))
      throw IoError("/sensitivity/" + g.name + "/" + label.name + ": wrong length");
    h5::Handle dataset = labels_dataset(label.name, label.labels);
    h5::write_attribute(dataset.id(), "units", std::string("1"));
    h5::write_attribute(dataset.id(), "long_name", label.long_name);
    h5::attach_scale(dataset.id(), scale_of(label.dimension), 0);
  }
  for (const DataVariable& v : g.variables) {
    h5::DatasetOptions options;
    std::size_t size = 1;
    for (const std::string& dim : v.dims) {
      options.dims.push_back(length_of(dim));
      size *= static_cast<std::size_t>(options.dims.back());
    }
    h5::Handle dataset;
    if (!v.i64.empty() || (v.f64.empty() && v.i8.empty())) {
      if (v.i64.size() != size) throw IoError("/sensitivity/" + g.name + "/" + v.name + ": wrong size");
      dataset = h5::create_dataset(group.id(), v.name, H5T_STD_I64LE, options);
      h5::write_all(dataset.id(), H5T_NATIVE_INT64, v.i64.data());
    } else if (!v.i8.empty()) {
      if (v.i8.size() != size) throw IoError("/sensitivity/" + g.name + "/" + v.name + ": wrong size");
      dataset = h5::create_dataset(group.id(), v.name, H5T_STD_I8LE, options);
      h5::write_all(dataset.id(), H5T_NATIVE_INT8, v.i8.data());
    } else {
      if (v.f64.size() != size) throw IoError("/sensitivity/" + g.name + "/" + v.name + ": wrong size");
      // NaN is "undefined" here (no variance, too few samples), as "no value" elsewhere in the file.
      dataset = h5::create_dataset(group.id(), v.name, H5T_IEEE_F64LE, options, H5T_NATIVE_DOUBLE, &NaN);
      h5::write_attribute(dataset.id(), "_FillValue", NaN);
      h5::write_all(dataset.id(), H5T_NATIVE_DOUBLE, v.f64.data());
    }
    h5::write_attribute(dataset.id(), "units", v.units);
    h5::write_attribute(dataset.id(), "long_name", v.long_name);
    std::string coordinates;
    for (const LabelCoordinate& label : g.labels)
      for (const std::string& dim : v.dims)
        if (dim == label.dimension) coordinates += (coordinates.empty() ? "" : " ") + label.name;
    if (!coordinates.empty()) h5::write_attribute(dataset.id(), "coordinates", coordinates);
    for (std::size_t axis = 0; axis < v.dims.size(); ++axis)
      h5::attach_scale(dataset.id(), scale_of(v.dims[axis]), static_cast<unsigned>(axis));
  }
}

} // namespace

std::size_t Dimension::size() const {
  return !numbers.empty() ? numbers.size() : !integers.empty() ? integers.size() : labels.size();
}

void add_groups(const std::string& path, const std::string& parent, const std::string& parent_description,
                const std::vector<DataGroup>& groups, const std::vector<std::string>& replaced) {
  h5::silence_error_printing();
  // The copy NAME.partial holds every change until it is complete; NAME is
  // replaced by one rename() in finish() (the file keeps any /checkpoint).
  std::optional<ResultsFileWriter> writer(ResultsFileWriter::update(path));
  const std::string partial = writer->partial_path();
  try {
    {
      // A second identifier for the file the writer holds open (HDF5 shares
      // one open file between them); closed before finish().
      const h5::Handle file = h5::open_file(partial, true);
      if (!h5::link_exists(file.id(), parent)) {
        const h5::Handle created = h5::create_group(file.id(), parent);
        h5::write_attribute(created.id(), "description", parent_description);
      }
      const h5::Handle holder = h5::open_group(file.id(), parent);
      std::vector<std::string> names = replaced;
      for (const DataGroup& g : groups) names.push_back(g.name);
      for (const std::string& name : names)
        if (h5::link_exists(holder.id(), name)) h5::delete_link(holder.id(), name);
      for (const DataGroup& g : groups) write_group(holder.id(), g);
      h5::flush(file.id());
    }
    writer->finish(true);
  } catch (...) {
    writer.reset(); // close the copy before removing it
    std::remove(partial.c_str());
    throw;
  }
}

} // namespace arcm::io
