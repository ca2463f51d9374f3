#include "analysis/sensitivity_file.hpp"

#include <cstdio>
#include <limits>
#include <optional>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "io/data_groups.hpp"
#include "io/results_file.hpp"

namespace arcm::analysis {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// ---- building the groups ----------------------------------------------------

Dimension parameter_dimension(const ParameterAxis& parameters) {
  return {
      "parameter", parameters.name, {}, {}, "1", "swept parameter (dotted scenario path, as in /parameters)"};
}

LabelCoordinate parameter_units(const ParameterAxis& parameters) {
  return {"parameter_units", "parameter", parameters.units, "units of the parameter (as in /parameters)"};
}

void add_output_axis(SensitivityGroup& group, const OutputAxis& outputs, const std::string& source) {
  group.dimensions.push_back(
      {"output",
       outputs.label,
       {},
       {},
       "1",
       "output: " + source + " variable and its coordinate labels in dimension order"});
  group.labels.push_back(
      {"output_variable", "output", outputs.variable, "the " + source + " variable of the output"});
  group.labels.push_back({"output_units", "output", outputs.units, "units of the output"});
}

void add_provenance(SensitivityGroup& group, const std::string& method, const SourceSummary& source) {
  group.text_attributes.push_back({"method", method});
  group.text_attributes.push_back({"source_file", source.path});
  group.text_attributes.push_back({"source_design", source.design});
  group.text_attributes.push_back({"created_utc", io::utc_now_iso8601()});
  group.text_attributes.push_back({"arcm_version", VERSION});
  group.text_attributes.push_back({"git_commit", GIT_COMMIT});
  group.integer_attributes.push_back({"failed_runs", static_cast<std::int64_t>(source.failed_runs)});
}

void add_bootstrap(SensitivityGroup& group, const BootstrapOptions& bootstrap) {
  group.real_attributes.push_back({"confidence_level", bootstrap.confidence_level});
  group.integer_attributes.push_back({"bootstrap_resamples", static_cast<std::int64_t>(bootstrap.resamples)});
  group.unsigned_attributes.push_back({"bootstrap_seed", bootstrap.seed});
}

// Appends the six Sobol variables of `indices` (one entry per leading cell)
// over dims + {"parameter"}.
void add_sobol_variables(SensitivityGroup& group, const std::vector<SobolIndices>& cells,
                         const std::vector<std::string>& leading_dims, std::size_t d, double level) {
  std::vector<std::string> dims = leading_dims;
  dims.push_back("parameter");
  const std::string ci =
      " (" + std::to_string(static_cast<int>(level * 100 + 0.5)) + " % bootstrap interval, ";
  struct Field {
    const char* name;
    std::vector<double> SobolIndices::*member;
    std::string long_name;
  };
  const Field fields[] = {
      {"S1", &SobolIndices::first, "first-order Sobol index (Saltelli et al. 2010 estimator)"},
      {"S1_conf_low", &SobolIndices::first_low, "first-order Sobol index" + ci + "lower end)"},
      {"S1_conf_high", &SobolIndices::first_high, "first-order Sobol index" + ci + "upper end)"},
      {"ST", &SobolIndices::total, "total-order Sobol index (Jansen 1999 estimator)"},
      {"ST_conf_low", &SobolIndices::total_low, "total-order Sobol index" + ci + "lower end)"},
      {"ST_conf_high", &SobolIndices::total_high, "total-order Sobol index" + ci + "upper end)"}};
  for (const Field& field : fields) {
    DataVariable v{field.name, dims, {}, {}, {}, "1", field.long_name};
    for (const SobolIndices& cell : cells) {
      const std::vector<double>& values = cell.*field.member;
      v.f64.insert(v.f64.end(), values.begin(), values.end());
      if (values.size() != d) v.f64.resize(v.f64.size() + d - values.size(), NaN);
    }
    group.variables.push_back(std::move(v));
  }
  DataVariable mean{"output_mean",
                    leading_dims,
                    {},
                    {},
                    {},
                    "output_units",
                    "mean of the output over the A and B runs used"};
  DataVariable std{"output_std",
                   leading_dims,
                   {},
                   {},
                   {},
                   "output_units",
                   "standard deviation (divisor n) of the output over the A and B runs used"};
  DataVariable samples{"samples", leading_dims, {}, {}, {}, "1", "base samples used (all d + 2 runs finite)"};
  for (const SobolIndices& cell : cells) {
    mean.f64.push_back(cell.mean);
    std.f64.push_back(cell.std);
    samples.i64.push_back(static_cast<std::int64_t>(cell.samples));
  }
  group.variables.push_back(std::move(mean));
  group.variables.push_back(std::move(std));
  group.variables.push_back(std::move(samples));
}

} // namespace

std::vector<SensitivityGroup> sensitivity_groups(const SobolAnalysis& a) {
  const std::size_t d = a.parameters.name.size();
  std::vector<SensitivityGroup> groups;
  SensitivityGroup sobol;
  sobol.name = "sobol";
  sobol.description = "first- and total-order Sobol indices of every /summary output (arcm analyze sobol)";
  add_output_axis(sobol, a.outputs, "/summary");
  sobol.dimensions.push_back(parameter_dimension(a.parameters));
  sobol.labels.push_back(parameter_units(a.parameters));
  add_sobol_variables(sobol, a.indices, {"output"}, d, a.bootstrap.confidence_level);
  add_provenance(sobol, "sobol", a.source);
  add_bootstrap(sobol, a.bootstrap);
  sobol.text_attributes.push_back(
      {"first_order_estimator",
       "Saltelli et al. (2010): S1_j = mean_i[(f(B_i) - m) (f(AB_i^j) - f(A_i))] / V, "
       "m and V the mean and variance (divisor 2n) of f over the A and B runs"});
  sobol.text_attributes.push_back(
      {"total_order_estimator", "Jansen (1999): ST_j = mean_i[(f(A_i) - f(AB_i^j))^2] / (2 V)"});
  sobol.integer_attributes.push_back({"base_samples", static_cast<std::int64_t>(a.base_samples)});
  sobol.integer_attributes.push_back(
      {"dropped_base_samples", static_cast<std::int64_t>(a.dropped_base_samples)});
  groups.push_back(sobol);

  if (!a.time_outputs.label.empty()) {
    SensitivityGroup time;
    time.name = "sobol_time";
    time.description = "first- and total-order Sobol indices per output year of trajectory variables "
                       "(arcm analyze sobol --trajectory)";
    add_output_axis(time, a.time_outputs, "/trajectories");
    time.dimensions.push_back({"time", {}, a.time, {}, "year", "calendar year"});
    time.dimensions.push_back(parameter_dimension(a.parameters));
    time.labels.push_back(parameter_units(a.parameters));
    add_sobol_variables(time, a.time_indices, {"output", "time"}, d, a.bootstrap.confidence_level);
    add_provenance(time, "sobol", a.source);
    add_bootstrap(time, a.bootstrap);
    time.text_attributes.push_back(sobol.text_attributes[sobol.text_attributes.size() - 2]);
    time.text_attributes.push_back(sobol.text_attributes.back());
    time.integer_attributes.push_back({"base_samples", static_cast<std::int64_t>(a.base_samples)});
    time.integer_attributes.push_back(
        {"dropped_base_samples", static_cast<std::int64_t>(a.dropped_base_samples)});
    groups.push_back(time);
  }
  return groups;
}

std::vector<SensitivityGroup> sensitivity_groups(const MorrisAnalysis& a) {
  SensitivityGroup g;
  g.name = "morris";
  g.description = "Morris elementary-effects screening of every /summary output (arcm analyze morris)";
  add_output_axis(g, a.outputs, "/summary");
  g.dimensions.push_back(parameter_dimension(a.parameters));
  g.labels.push_back(parameter_units(a.parameters));
  const std::vector<std::string> dims{"output", "parameter"};
  const std::string ci = " (bootstrap interval, ";
  struct Field {
    const char* name;
    std::vector<double> MorrisMeasures::*member;
    std::string long_name;
  };
  const Field fields[] = {
      {"mu", &MorrisMeasures::mu, "mean elementary effect (change over the parameter's whole range)"},
      {"mu_conf_low", &MorrisMeasures::mu_low, "mean elementary effect" + ci + "lower end)"},
      {"mu_conf_high", &MorrisMeasures::mu_high, "mean elementary effect" + ci + "upper end)"},
      {"mu_star", &MorrisMeasures::mu_star, "mean absolute elementary effect (Campolongo et al. 2007)"},
      {"mu_star_conf_low", &MorrisMeasures::mu_star_low,
       "mean absolute elementary effect" + ci + "lower end)"},
      {"mu_star_conf_high", &MorrisMeasures::mu_star_high,
       "mean absolute elementary effect" + ci + "upper end)"},
      {"sigma", &MorrisMeasures::sigma, "standard deviation of the elementary effects (divisor n - 1)"},
      {"sigma_conf_low", &MorrisMeasures::sigma_low,
       "standard deviation of the elementary effects" + ci + "lower end)"},
      {"sigma_conf_high", &MorrisMeasures::sigma_high,
       "standard deviation of the elementary effects" + ci + "upper end)"}};
  for (const Field& field : fields) {
    DataVariable v{field.name, dims, {}, {}, {}, "output_units", field.long_name};
    for (const MorrisMeasures& m : a.measures)
      v.f64.insert(v.f64.end(), (m.*field.member).begin(), (m.*field.member).end());
    g.variables.push_back(std::move(v));
  }
  DataVariable effects{"effects", dims, {}, {}, {}, "1", "elementary effects used"};
  for (const MorrisMeasures& m : a.measures)
    for (std::size_t n : m.effects) effects.i64.push_back(static_cast<std::int64_t>(n));
  g.variables.push_back(std::move(effects));
  add_provenance(g, "morris", a.source);
  add_bootstrap(g, a.bootstrap);
  g.integer_attributes.push_back({"trajectories", static_cast<std::int64_t>(a.trajectories)});
  g.integer_attributes.push_back({"levels", static_cast<std::int64_t>(a.levels)});
  g.real_attributes.push_back({"delta", a.delta});
  return {g};
}

std::vector<SensitivityGroup> sensitivity_groups(const PrimAnalysis& a) {
  const PrimResult& r = a.result;
  SensitivityGroup g;
  g.name = "prim";
  g.description = "PRIM scenario discovery: peeling trajectory and chosen box for " + a.metric +
                  (a.above ? " > " : " < ") + std::to_string(a.threshold) + " (arcm analyze prim)";
  Dimension step{"step", {}, {}, {}, "1", "peeling step (0 = all cases)"};
  for (std::size_t s = 0; s < r.trajectory.size(); ++s) step.integers.push_back(static_cast<std::int64_t>(s));
  g.dimensions.push_back(step);
  g.dimensions.push_back(parameter_dimension(a.parameters));
  g.labels.push_back(parameter_units(a.parameters));
  DataVariable coverage{
      "coverage", {"step"}, {}, {}, {}, "1", "share of all cases of interest inside the box"};
  DataVariable density{
      "density", {"step"}, {}, {}, {}, "1", "share of the cases inside the box that are of interest"};
  DataVariable mass{"mass", {"step"}, {}, {}, {}, "1", "share of all cases inside the box"};
  DataVariable restricted{"restricted_dimensions", {"step"}, {}, {}, {}, "1", "parameters the box restricts"};
  DataVariable low{"box_low", {"step", "parameter"}, {}, {}, {}, "parameter_units", "lower bound of the box"};
  DataVariable high{"box_high",        {"step", "parameter"},   {}, {}, {},
                    "parameter_units", "upper bound of the box"};
  for (const PrimBox& box : r.trajectory) {
    coverage.f64.push_back(box.coverage);
    density.f64.push_back(box.density);
    mass.f64.push_back(box.mass);
    restricted.i64.push_back(static_cast<std::int64_t>(box.restricted));
    low.f64.insert(low.f64.end(), box.low.begin(), box.low.end());
    high.f64.insert(high.f64.end(), box.high.begin(), box.high.end());
  }
  DataVariable chosen_low{"chosen_low",
                          {"parameter"},
                          r.chosen.low,
                          {},
                          {},
                          "parameter_units",
                          "lower bound of the chosen box after pasting"};
  DataVariable chosen_high{"chosen_high",
                           {"parameter"},
                           r.chosen.high,
                           {},
                           {},
                           "parameter_units",
                           "upper bound of the chosen box after pasting"};
  DataVariable chosen_restricted{
      "chosen_restricted", {"parameter"}, {}, {}, {}, "1", "1 where the chosen box restricts the parameter"};
  for (char c : r.chosen.is_restricted) chosen_restricted.i8.push_back(static_cast<std::int8_t>(c));
  DataVariable density_without{"density_without",
                               {"parameter"},
                               r.density_without,
                               {},
                               {},
                               "1",
                               "density of the chosen box with this parameter's restriction dropped"};
  DataVariable coverage_without{"coverage_without",
                                {"parameter"},
                                r.coverage_without,
                                {},
                                {},
                                "1",
                                "coverage of the chosen box with this parameter's restriction dropped"};
  for (DataVariable* v :
       {&coverage, &density, &mass, &restricted, &low, &high, &chosen_low, &chosen_high, &chosen_restricted})
    g.variables.push_back(std::move(*v));
  add_provenance(g, "prim", a.source);
  g.text_attributes.push_back({"metric", a.metric});
  g.text_attributes.push_back({"direction", a.above ? "above" : "below"});
  g.real_attributes.push_back({"threshold", a.threshold});
  g.integer_attributes.push_back({"cases", static_cast<std::int64_t>(r.cases)});
  g.integer_attributes.push_back({"cases_of_interest", static_cast<std::int64_t>(r.cases_of_interest)});
  g.real_attributes.push_back({"base_density", r.base_density});
  g.integer_attributes.push_back({"chosen_step", static_cast<std::int64_t>(r.chosen_step)});
  g.real_attributes.push_back({"chosen_coverage", r.chosen.coverage});
  g.real_attributes.push_back({"chosen_density", r.chosen.density});
  g.real_attributes.push_back({"chosen_mass", r.chosen.mass});
  g.real_attributes.push_back({"peel_alpha", a.options.peel_alpha});
  g.real_attributes.push_back({"paste_alpha", a.options.paste_alpha});
  g.real_attributes.push_back({"min_mass", a.options.min_mass});
  g.real_attributes.push_back({"min_coverage", a.options.min_coverage});
  g.real_attributes.push_back({"density_slack", a.options.density_slack});
  return {g};
}

void write_sensitivity(const std::string& path, std::vector<SensitivityGroup> groups,
                       const std::vector<std::string>& replaced) {
  for (SensitivityGroup& g : groups) g.layout_version = {SENSITIVITY_LAYOUT_MAJOR, SENSITIVITY_LAYOUT_MINOR};
  io::add_groups(
      path, "sensitivity",
      "sensitivity analysis and scenario discovery over the runs (arcm analyze); one subgroup per method",
      groups, replaced);
}

} // namespace arcm::analysis
