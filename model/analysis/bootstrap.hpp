// Bootstrap resampling for the sensitivity estimators, deterministic by
// construction: which unit (base sample, trajectory) position k of resample b
// draws is a pure function of (seed, b, k) through the sweep layer's
// counter-based hash, so intervals never depend on thread count or on the
// order in which outputs are analysed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace arcm::analysis {

//! How confidence intervals are computed.
struct BootstrapOptions {
  std::size_t resamples{1000};   //!< bootstrap resamples B (0: no intervals, they are NaN)
  double confidence_level{0.95}; //!< two-sided level c in (0, 1)
  std::uint64_t seed{20261130};  //!< key of the counter-based resampling
};

//! The resamples of n units drawn with replacement, B x n indices in [0, n),
//! drawn once and shared by every output of an analysis.
class BootstrapPlan {
public:
  BootstrapPlan(std::size_t units, const BootstrapOptions& options);
  std::size_t units() const { return units_; }
  std::size_t resamples() const { return resamples_; }
  //! The n unit indices of resample b.
  const std::size_t* resample(std::size_t b) const { return indices_.data() + b * units_; }

private:
  std::size_t units_;
  std::size_t resamples_;
  std::vector<std::size_t> indices_;
};

//! The unit drawn at position k of resample b (uniform on [0, n)).
std::size_t bootstrap_draw(std::uint64_t seed, std::size_t resample, std::size_t position, std::size_t n);

//! Quantile at level p in [0, 1] of the finite values (type 7, numpy's
//! default linear interpolation); NaN when no value is finite. Reorders `values`.
double quantile_of_finite(std::vector<double>& values, double p);

//! A two-sided percentile interval.
struct Interval {
  double low;
  double high;
};

//! The percentile interval at `confidence_level` of bootstrap replicates
//! (non-finite replicates ignored). Reorders `replicates`.
Interval percentile_interval(std::vector<double>& replicates, double confidence_level);

} // namespace arcm::analysis
