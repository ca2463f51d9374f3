#include "analysis/analyze.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace arcm::analysis {

namespace {

SourceSummary source_of(const SweepData& data) {
  return {data.path(), data.design_name(), data.runs(), data.failed_runs()};
}

std::vector<sweep::SaltelliRole> saltelli_roles(const SweepData& data,
                                                const sweep::SobolSaltelliDesign& design) {
  std::vector<sweep::SaltelliRole> roles(data.runs());
  for (std::size_t p = 0; p < data.runs(); ++p) roles[p] = design.role(data.run_index(p));
  return roles;
}

} // namespace

SobolAnalysis analyze_sobol(const SweepData& data, const BootstrapOptions& bootstrap,
                            const std::vector<std::string>& trajectory_variables) {
  data.require_design("sobol", "sobol");
  const auto* design = dynamic_cast<const sweep::SobolSaltelliDesign*>(data.sweep().sampler.get());
  if (design == nullptr) refuse(data.path(), "the stored sobol sweep has no Saltelli design");
  SobolAnalysis out;
  out.source = source_of(data);
  out.parameters = data.parameters();
  out.bootstrap = bootstrap;
  out.base_samples = design->n_base();
  SaltelliIndex index;
  try {
    index = saltelli_index(saltelli_roles(data, *design), design->n_base(), design->dimension());
  } catch (const Error& e) {
    refuse(data.path(), e.what());
  }
  // Base samples that lost a run: dropped for every output (their values are NaN).
  std::vector<char> lost(design->n_base(), 0);
  auto failed = [&](std::size_t position) {
    const RunStatus s = data.status()[position];
    return s == RunStatus::failed || s == RunStatus::not_run;
  };
  for (std::size_t i = 0; i < design->n_base(); ++i) {
    bool any = failed(index.a[i]) || failed(index.b[i]);
    for (std::size_t j = 0; j < index.dimension; ++j) any = any || failed(index.ab[i * index.dimension + j]);
    lost[i] = any;
    out.dropped_base_samples += any ? 1 : 0;
  }
  const BootstrapPlan plan(design->n_base(), bootstrap);
  auto estimate = [&](const double* per_run, std::size_t stride) {
    SaltelliValues values = gather_saltelli(index, per_run, stride);
    for (std::size_t i = 0; i < design->n_base(); ++i)
      if (lost[i]) values.a[i] = std::nan(""); // a failed run's summary may hold partial values
    return sobol_indices(values, plan, bootstrap.confidence_level);
  };

  const FlatVariable summary = data.summary();
  out.outputs = summary.outputs;
  for (std::size_t k = 0; k < summary.per_run; ++k)
    out.indices.push_back(estimate(summary.values.data() + k, summary.per_run));

  for (const std::string& name : trajectory_variables) {
    const FlatVariable trajectory = data.trajectory(name);
    if (out.time.empty()) out.time = trajectory.time;
    if (trajectory.time != out.time) refuse(data.path(), "trajectory '" + name + "' has another time axis");
    const std::size_t elements = trajectory.outputs.label.size();
    out.time_outputs.append(trajectory.outputs);
    for (std::size_t k = 0; k < elements; ++k)
      for (std::size_t t = 0; t < out.time.size(); ++t)
        out.time_indices.push_back(estimate(trajectory.values.data() + t * elements + k, trajectory.per_run));
  }
  return out;
}

MorrisAnalysis analyze_morris(const SweepData& data, const BootstrapOptions& bootstrap) {
  data.require_design("morris", "morris");
  const auto* design = dynamic_cast<const sweep::MorrisDesign*>(data.sweep().sampler.get());
  if (design == nullptr) refuse(data.path(), "the stored morris sweep has no Morris design");
  MorrisAnalysis out;
  out.source = source_of(data);
  out.parameters = data.parameters();
  out.bootstrap = bootstrap;
  out.trajectories = design->size() / (design->dimension() + 1);
  out.levels = design->levels();
  out.delta = design->delta();
  std::vector<sweep::MorrisRole> roles(data.runs());
  for (std::size_t p = 0; p < data.runs(); ++p) roles[p] = design->role(data.run_index(p));
  MorrisIndex index;
  try {
    index = morris_index(roles, out.trajectories, design->dimension(), design->delta());
  } catch (const Error& e) {
    refuse(data.path(), e.what());
  }
  const BootstrapPlan plan(out.trajectories, bootstrap);
  FlatVariable summary = data.summary();
  // A failed run's summary may hold values up to its failure: not an outcome.
  for (std::size_t p = 0; p < data.runs(); ++p)
    if (data.status()[p] == RunStatus::failed || data.status()[p] == RunStatus::not_run)
      for (std::size_t k = 0; k < summary.per_run; ++k)
        summary.values[p * summary.per_run + k] = std::nan("");
  out.outputs = summary.outputs;
  for (std::size_t k = 0; k < summary.per_run; ++k)
    out.measures.push_back(
        morris_measures(index, elementary_effects(index, summary.values.data() + k, summary.per_run), plan,
                        bootstrap.confidence_level));
  return out;
}

PrimAnalysis analyze_prim(const SweepData& data, const std::string& metric, bool above, double threshold,
                          const PrimOptions& options) {
  PrimAnalysis out;
  out.source = source_of(data);
  out.parameters = data.parameters();
  out.metric = metric;
  out.above = above;
  out.threshold = threshold;
  out.options = options;
  const std::size_t d = out.parameters.name.size();
  if (d == 0) refuse(data.path(), "the sweep has no parameters to find a box in");
  const std::vector<double> y = data.summary_output(metric);
  std::vector<double> x;
  std::vector<char> interest;
  for (std::size_t p = 0; p < data.runs(); ++p) {
    const RunStatus s = data.status()[p];
    if (s == RunStatus::failed || s == RunStatus::not_run || !std::isfinite(y[p])) continue;
    bool finite = true;
    for (std::size_t j = 0; j < d; ++j) finite = finite && std::isfinite(data.parameter_values()[p * d + j]);
    if (!finite) continue;
    x.insert(x.end(), data.parameter_values().begin() + static_cast<std::ptrdiff_t>(p * d),
             data.parameter_values().begin() + static_cast<std::ptrdiff_t>((p + 1) * d));
    interest.push_back(static_cast<char>(above ? y[p] > threshold : y[p] < threshold));
  }
  if (interest.empty()) refuse(data.path(), "no run has a finite value of " + metric);
  try {
    out.result = prim(x, d, interest, options);
  } catch (const Error& e) {
    refuse(data.path(),
           std::string(e.what()) + " (" + metric + (above ? " > " : " < ") + std::to_string(threshold) + ")");
  }
  return out;
}

} // namespace arcm::analysis
