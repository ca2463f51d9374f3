#include "analysis/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "sweep/random.hpp"

namespace arcm::analysis {

namespace {
// Stream tag of the bootstrap draws ("BOO"); it keeps them apart from the
// design's parameter streams even if someone reused a sweep's master seed.
constexpr std::uint64_t BOOTSTRAP_STREAM = 0x424F4F0000000000ULL;
} // namespace

std::size_t bootstrap_draw(std::uint64_t seed, std::size_t resample, std::size_t position, std::size_t n) {
  // The per-resample key makes resamples independent hashes; within one the
  // positions are a bijective counter. floor(u n) with u in (0, 1) is uniform
  // on [0, n) up to 2^-52, far below any bootstrap's own error.
  const std::uint64_t key = sweep::seed_for(seed, resample, BOOTSTRAP_STREAM);
  const double u = sweep::to_open_unit(sweep::seed_for(key, position));
  const auto k = static_cast<std::size_t>(u * static_cast<double>(n));
  return std::min(k, n - 1);
}

BootstrapPlan::BootstrapPlan(std::size_t units, const BootstrapOptions& options)
    : units_(units), resamples_(units == 0 ? 0 : options.resamples) {
  if (!(options.confidence_level > 0.0 && options.confidence_level < 1.0))
    throw Error("bootstrap: the confidence level must lie in (0, 1), got " +
                std::to_string(options.confidence_level));
  indices_.resize(units_ * resamples_);
  for (std::size_t b = 0; b < resamples_; ++b)
    for (std::size_t k = 0; k < units_; ++k)
      indices_[b * units_ + k] = bootstrap_draw(options.seed, b, k, units_);
}

double quantile_of_finite(std::vector<double>& values, double p) {
  const auto end = std::partition(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  const auto n = static_cast<std::size_t>(end - values.begin());
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), end);
  const double h = static_cast<double>(n - 1) * p;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= n) return values[n - 1];
  return values[below] + (h - static_cast<double>(below)) * (values[below + 1] - values[below]);
}

Interval percentile_interval(std::vector<double>& replicates, double confidence_level) {
  const double tail = (1.0 - confidence_level) / 2.0;
  const double low = quantile_of_finite(replicates, tail);
  const double high = quantile_of_finite(replicates, 1.0 - tail);
  return {low, high};
}

} // namespace arcm::analysis
