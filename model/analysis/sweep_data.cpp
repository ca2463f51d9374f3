#include "analysis/sweep_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/errors.hpp"

namespace arcm::analysis {

void refuse(const std::string& path, const std::string& why) {
  throw ConfigError(path, 0, 0, "", why);
}

void OutputAxis::append(const OutputAxis& other) {
  label.insert(label.end(), other.label.begin(), other.label.end());
  variable.insert(variable.end(), other.variable.begin(), other.variable.end());
  units.insert(units.end(), other.units.begin(), other.units.end());
}

SweepData::~SweepData() = default;

SweepData::SweepData(const std::string& path) : path_(path) {
  reader_ = std::make_unique<io::ResultsFileReader>(path);
  info_ = reader_->info();
  if (info_.provenance.yaml_kind != "sweep" || info_.provenance.design == "single_run")
    refuse(path,
           "not a sweep file (design '" + info_.provenance.design + "'): nothing to analyse across runs");
  // The design comes from the sweep definition stored in the file, so which
  // parameter each run moves is known, not inferred from the values.
  try {
    sweep_ = load_sweep_from_string(info_.provenance.resolved_yaml, path);
  } catch (const ConfigError& e) {
    refuse(path, std::string("the sweep definition stored in the file cannot be read back: ") + e.what());
  }

  const io::NumericArray runs = reader_->read_numeric("runs", "run");
  for (double r : runs.values) run_index_.push_back(static_cast<std::size_t>(r));
  status_ = reader_->run_status();

  const std::size_t n = runs.values.size();
  for (const std::string& name : info_.parameters) parameters_.name.push_back(name);
  for (const std::string& name : parameters_.name)
    parameters_.units.push_back(reader_->describe("parameters", name).units);
  const std::size_t d = parameters_.name.size();
  parameter_values_.resize(n * d);
  for (std::size_t j = 0; j < d; ++j) {
    const io::NumericArray column = reader_->read_numeric("parameters", parameters_.name[j]);
    for (std::size_t p = 0; p < n; ++p) parameter_values_[p * d + j] = column.values[p];
  }

  // Check the file against its own definition: every run's stored values are
  // what the design gives for its run index (same code, so equal to rounding).
  if (sweep_.design == DesignKind::sobol || sweep_.design == DesignKind::morris) {
    if (d != sweep_.parameters.size())
      refuse(path, "/parameters has " + std::to_string(d) + " variables, the sweep definition " +
                       std::to_string(sweep_.parameters.size()));
    for (std::size_t j = 0; j < d; ++j)
      if (parameters_.name[j] != sweep_.parameters[j].path)
        refuse(path, "/parameters/" + parameters_.name[j] + " is not the sweep's parameter " +
                         std::to_string(j) + " (" + sweep_.parameters[j].path + ")");
    std::vector<double> expected(d);
    std::size_t scenario = 0;
    for (std::size_t p = 0; p < n; ++p) {
      if (run_index_[p] >= sweep_.total_runs())
        refuse(path, "run " + std::to_string(run_index_[p]) + " lies outside the sweep's " +
                         std::to_string(sweep_.total_runs()) + " runs");
      sweep_.run_point(run_index_[p], scenario, expected.data());
      for (std::size_t j = 0; j < d; ++j) {
        const double stored = parameter_values_[p * d + j];
        if (std::isnan(stored) && status_[p] == RunStatus::not_run) continue;
        if (!(std::fabs(stored - expected[j]) <= 1e-12 * std::max(1.0, std::fabs(expected[j]))))
          refuse(path, "/parameters/" + parameters_.name[j] + " of run " + std::to_string(run_index_[p]) +
                           " is " + std::to_string(stored) + " but the stored " + design_name() +
                           " design gives " + std::to_string(expected[j]) +
                           ": the file does not match its sweep definition");
      }
    }
  }
}

std::size_t SweepData::failed_runs() const {
  std::size_t failed = 0;
  for (RunStatus s : status_) failed += (s == RunStatus::failed || s == RunStatus::not_run) ? 1 : 0;
  return failed;
}

void SweepData::require_design(const std::string& expected, const std::string& method) const {
  if (design_name() != expected)
    refuse(path_, "'arcm analyze " + method + "' needs a " + expected +
                      " design, but this sweep's design is '" + design_name() + "'" +
                      (expected == "sobol"
                           ? " (Sobol indices need the Saltelli blocks A, B and AB of a sobol sweep)"
                           : " (elementary effects need the one-at-a-time trajectories of a morris sweep)"));
}

FlatVariable SweepData::read_flat(const std::string& group_name, const std::string& name,
                                  bool split_time) const {
  const io::VariableDescription described = reader_->describe(group_name, name);
  const std::string& units = described.units;

  FlatVariable flat;
  // Labels of each non-run axis; the time axis (if split) is kept apart.
  std::vector<std::vector<std::string>> labels;
  for (std::size_t axis = 1; axis < described.dims.size(); ++axis) {
    const std::string& dim = described.dims[axis];
    if (dim == "time" && split_time && axis == 1) {
      flat.time = reader_->read_numeric(group_name, dim).values;
      continue;
    }
    if (reader_->describe(group_name, dim).strings) {
      labels.push_back(reader_->read_strings(group_name, dim));
    } else {
      std::vector<std::string> numbers;
      for (double v : reader_->read_numeric(group_name, dim).values) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", v);
        numbers.push_back(text);
      }
      labels.push_back(numbers);
    }
  }
  std::size_t elements = 1;
  for (const auto& axis : labels) elements *= axis.size();
  std::vector<std::size_t> digit(labels.size(), 0);
  for (std::size_t k = 0; k < elements; ++k) {
    std::string label = name;
    if (!labels.empty()) {
      label += "[";
      for (std::size_t a = 0; a < labels.size(); ++a) label += (a ? "," : "") + labels[a][digit[a]];
      label += "]";
    }
    flat.outputs.label.push_back(label);
    flat.outputs.variable.push_back(name);
    flat.outputs.units.push_back(units);
    for (std::size_t a = labels.size(); a-- > 0;) { // C order: last axis fastest
      if (++digit[a] < labels[a].size()) break;
      digit[a] = 0;
    }
  }
  flat.per_run = elements * std::max<std::size_t>(1, flat.time.size());
  flat.values = reader_->read_numeric(group_name, name).values;
  return flat;
}

FlatVariable SweepData::summary() const {
  FlatVariable all;
  all.values.assign(0, 0.0);
  std::vector<FlatVariable> parts;
  for (const std::string& name : info_.summary_variables) parts.push_back(read_flat("summary", name, false));
  for (const FlatVariable& part : parts) all.per_run += part.per_run;
  all.values.resize(runs() * all.per_run);
  std::size_t offset = 0;
  for (const FlatVariable& part : parts) {
    all.outputs.append(part.outputs);
    for (std::size_t p = 0; p < runs(); ++p)
      for (std::size_t k = 0; k < part.per_run; ++k)
        all.values[p * all.per_run + offset + k] = part.values[p * part.per_run + k];
    offset += part.per_run;
  }
  return all;
}

std::vector<double> SweepData::summary_output(const std::string& label) const {
  std::string known;
  for (const std::string& name : info_.summary_variables) {
    const FlatVariable flat = read_flat("summary", name, false);
    for (std::size_t k = 0; k < flat.per_run; ++k) {
      if (flat.outputs.label[k] == label || (flat.per_run == 1 && name == label)) {
        std::vector<double> values(runs());
        for (std::size_t p = 0; p < runs(); ++p) values[p] = flat.values[p * flat.per_run + k];
        return values;
      }
    }
    known += (known.empty() ? "" : ", ") + (flat.per_run == 1 ? name : name + "[...]");
    if (flat.per_run > 1 && label.rfind(name + "[", 0) == 0) {
      std::string choices;
      for (const std::string& l : flat.outputs.label) choices += (choices.empty() ? "" : ", ") + l;
      refuse(path_, "no summary output '" + label + "'; " + name + " has " + choices);
    }
  }
  refuse(path_, "no summary output '" + label + "'; the summary variables are " + known +
                    " (name one element, e.g. price_final[water])");
}

FlatVariable SweepData::trajectory(const std::string& name) const {
  bool stored = false;
  for (const std::string& v : info_.trajectory_variables) stored = stored || v == name;
  if (!stored) {
    std::string known;
    for (const std::string& v : info_.trajectory_variables) known += (known.empty() ? "" : ", ") + v;
    refuse(path_, "no trajectory variable '" + name + "' in the file; " +
                      (known.empty()
                           ? std::string("it stores no trajectories (set output.trajectories in the sweep)")
                           : "it stores " + known));
  }
  return read_flat("trajectories", name, true);
}

} // namespace arcm::analysis
