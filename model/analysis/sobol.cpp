#include "analysis/sobol.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"

namespace arcm::analysis {

namespace {
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t UNSET = static_cast<std::size_t>(-1);

void place(std::size_t& slot, std::size_t position, const char* what, std::size_t base) {
  if (slot != UNSET)
    throw Error(std::string("Saltelli design: the ") + what + " run of base sample " + std::to_string(base) +
                " appears twice");
  slot = position;
}

bool base_sample_finite(const SaltelliValues& v, std::size_t i) {
  if (!std::isfinite(v.a[i]) || !std::isfinite(v.b[i])) return false;
  for (std::size_t j = 0; j < v.dimension; ++j)
    if (!std::isfinite(v.ab[i * v.dimension + j])) return false;
  return true;
}
} // namespace

SaltelliIndex saltelli_index(const std::vector<sweep::SaltelliRole>& roles, std::size_t n_base,
                             std::size_t dimension) {
  SaltelliIndex index{n_base, dimension, std::vector<std::size_t>(n_base, UNSET),
                      std::vector<std::size_t>(n_base, UNSET),
                      std::vector<std::size_t>(n_base * dimension, UNSET)};
  for (std::size_t p = 0; p < roles.size(); ++p) {
    const sweep::SaltelliRole& role = roles[p];
    if (role.base >= n_base || role.parameter >= std::max<std::size_t>(dimension, 1))
      throw Error("Saltelli design: run at position " + std::to_string(p) + " lies outside the design");
    switch (role.matrix) {
    case sweep::SaltelliMatrix::A: place(index.a[role.base], p, "A", role.base); break;
    case sweep::SaltelliMatrix::B: place(index.b[role.base], p, "B", role.base); break;
    case sweep::SaltelliMatrix::AB:
      place(index.ab[role.base * dimension + role.parameter], p, "AB", role.base);
      break;
    }
  }
  for (const std::vector<std::size_t>* block : {&index.a, &index.b, &index.ab})
    for (std::size_t k = 0; k < block->size(); ++k)
      if ((*block)[k] == UNSET)
        throw Error("Saltelli design: the file lacks runs of base sample " +
                    std::to_string(block == &index.ab ? k / std::max<std::size_t>(dimension, 1) : k) +
                    " (a shard, or an unfinished sweep?): Sobol indices need all N (d + 2) runs");
  return index;
}

SaltelliValues gather_saltelli(const SaltelliIndex& index, const double* per_run, std::size_t stride) {
  SaltelliValues v;
  v.dimension = index.dimension;
  v.a.resize(index.n_base);
  v.b.resize(index.n_base);
  v.ab.resize(index.ab.size());
  for (std::size_t i = 0; i < index.n_base; ++i) {
    v.a[i] = per_run[index.a[i] * stride];
    v.b[i] = per_run[index.b[i] * stride];
  }
  for (std::size_t k = 0; k < index.ab.size(); ++k) v.ab[k] = per_run[index.ab[k] * stride];
  return v;
}

void sobol_point_estimates(const SaltelliValues& v, const std::vector<std::size_t>& rows, double* first,
                           double* total, double* mean, double* std) {
  const std::size_t d = v.dimension;
  const std::size_t n = rows.size();
  double m = NaN;
  double variance = NaN;
  if (n > 0) {
    double sum = 0;
    for (std::size_t i : rows) sum += v.a[i] + v.b[i];
    m = sum / static_cast<double>(2 * n);
    double squares = 0;
    for (std::size_t i : rows) squares += (v.a[i] - m) * (v.a[i] - m) + (v.b[i] - m) * (v.b[i] - m);
    variance = squares / static_cast<double>(2 * n);
  }
  if (mean) *mean = m;
  if (std) *std = std::sqrt(variance);
  // A constant output leaves rounding noise of order |m| 1e-16 in V; indices
  // of that noise would be meaningless numbers rather than "undefined".
  const double floor = 1e-10 * std::fabs(m);
  const bool defined = n >= 2 && variance > 0 && variance > floor * floor;
  for (std::size_t j = 0; j < d; ++j) {
    if (!defined) {
      first[j] = total[j] = NaN;
      continue;
    }
    double first_sum = 0;
    double total_sum = 0;
    for (std::size_t i : rows) {
      const double ab = v.ab[i * d + j];
      first_sum += (v.b[i] - m) * (ab - v.a[i]);
      total_sum += (v.a[i] - ab) * (v.a[i] - ab);
    }
    first[j] = first_sum / static_cast<double>(n) / variance;
    total[j] = total_sum / static_cast<double>(2 * n) / variance;
  }
}

SobolIndices sobol_indices(const SaltelliValues& v, const BootstrapPlan& plan, double confidence_level) {
  const std::size_t n = v.a.size();
  const std::size_t d = v.dimension;
  if (plan.units() != n && plan.resamples() > 0)
    throw Error("Sobol indices: the bootstrap plan has " + std::to_string(plan.units()) + " units for " +
                std::to_string(n) + " base samples");
  std::vector<char> finite(n);
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < n; ++i)
    if ((finite[i] = base_sample_finite(v, i))) rows.push_back(i);

  SobolIndices out;
  out.samples = rows.size();
  out.first.resize(d);
  out.total.resize(d);
  sobol_point_estimates(v, rows, out.first.data(), out.total.data(), &out.mean, &out.std);

  // Replicates per parameter, resample by resample; a resample keeps the
  // finite base samples it drew, so every resample has the dropped ones out.
  const std::size_t resamples = plan.resamples();
  std::vector<double> first_rep(resamples * d), total_rep(resamples * d);
  std::vector<std::size_t> drawn;
  std::vector<double> first_b(d), total_b(d);
  for (std::size_t b = 0; b < resamples; ++b) {
    drawn.clear();
    const std::size_t* units = plan.resample(b);
    for (std::size_t k = 0; k < n; ++k)
      if (finite[units[k]]) drawn.push_back(units[k]);
    sobol_point_estimates(v, drawn, first_b.data(), total_b.data());
    for (std::size_t j = 0; j < d; ++j) {
      first_rep[j * resamples + b] = first_b[j];
      total_rep[j * resamples + b] = total_b[j];
    }
  }
  out.first_low.assign(d, NaN);
  out.first_high.assign(d, NaN);
  out.total_low.assign(d, NaN);
  out.total_high.assign(d, NaN);
  std::vector<double> replicates;
  for (std::size_t j = 0; j < d && resamples > 0; ++j) {
    if (!std::isfinite(out.first[j])) continue;
    replicates.assign(first_rep.begin() + static_cast<std::ptrdiff_t>(j * resamples),
                      first_rep.begin() + static_cast<std::ptrdiff_t>((j + 1) * resamples));
    const Interval first_interval = percentile_interval(replicates, confidence_level);
    replicates.assign(total_rep.begin() + static_cast<std::ptrdiff_t>(j * resamples),
                      total_rep.begin() + static_cast<std::ptrdiff_t>((j + 1) * resamples));
    const Interval total_interval = percentile_interval(replicates, confidence_level);
    out.first_low[j] = first_interval.low;
    out.first_high[j] = first_interval.high;
    out.total_low[j] = total_interval.low;
    out.total_high[j] = total_interval.high;
  }
  return out;
}

} // namespace arcm::analysis
