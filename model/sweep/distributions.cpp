#include "sweep/distributions.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/policies/policy.hpp>

namespace arcm::sweep {

namespace {

// Boost.Math promotes double to long double by default, and long double is
// 80-bit on x86-64 but 128-bit (software) on AArch64: the quantiles would
// differ between machines. Computing in double keeps them identical wherever
// the C library's exp and log are; errors become exceptions, never errno.
using DeterministicPolicy = boost::math::policies::policy<boost::math::policies::promote_float<false>,
                                                          boost::math::policies::promote_double<false>>;

std::string number(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

[[noreturn]] void refuse(const std::string& distribution, const std::string& what) {
  throw Error(distribution + " distribution: " + what);
}

void require_finite(const char* distribution, const char* name, double x) {
  if (!std::isfinite(x)) refuse(distribution, std::string(name) + " must be finite, got " + number(x));
}

void require_low_below_high(const char* distribution, double low, double high) {
  require_finite(distribution, "low", low);
  require_finite(distribution, "high", high);
  if (!(low < high))
    refuse(distribution, "needs low < high, got low = " + number(low) + ", high = " + number(high));
  if (!std::isfinite(high - low))
    refuse(distribution,
           "range high - low overflows (low = " + number(low) + ", high = " + number(high) + ")");
}

double standard_normal_quantile(double u) {
  static const boost::math::normal_distribution<double, DeterministicPolicy> standard(0.0, 1.0);
  return boost::math::quantile(standard, u);
}

} // namespace

const char* kind_name(Distribution::Kind kind) {
  switch (kind) {
  case Distribution::Kind::uniform: return "uniform";
  case Distribution::Kind::loguniform: return "loguniform";
  case Distribution::Kind::normal: return "normal";
  case Distribution::Kind::lognormal: return "lognormal";
  case Distribution::Kind::triangular: return "triangular";
  case Distribution::Kind::discrete: return "discrete";
  }
  return "unknown";
}

Distribution Distribution::uniform(double low, double high) {
  require_low_below_high("uniform", low, high);
  return Distribution(Kind::uniform, low, high, 0.0);
}

Distribution Distribution::loguniform(double low, double high) {
  require_low_below_high("loguniform", low, high);
  if (!(low > 0.0)) refuse("loguniform", "needs low > 0, got low = " + number(low));
  return Distribution(Kind::loguniform, low, high, 0.0);
}

Distribution Distribution::normal(double mean, double sd) {
  require_finite("normal", "mean", mean);
  require_finite("normal", "sd", sd);
  if (!(sd > 0.0)) refuse("normal", "needs sd > 0, got sd = " + number(sd));
  return Distribution(Kind::normal, mean, sd, 0.0);
}

Distribution Distribution::lognormal(double median, double sigma) {
  require_finite("lognormal", "median", median);
  if (!(median > 0.0)) refuse("lognormal", "needs median > 0, got median = " + number(median));
  return lognormal_meanlog(std::log(median), sigma);
}

Distribution Distribution::lognormal_meanlog(double meanlog, double sigma) {
  require_finite("lognormal", "meanlog", meanlog);
  require_finite("lognormal", "sigma", sigma);
  if (!(sigma > 0.0)) refuse("lognormal", "needs sigma > 0, got sigma = " + number(sigma));
  return Distribution(Kind::lognormal, meanlog, sigma, 0.0);
}

Distribution Distribution::triangular(double low, double mode, double high) {
  require_low_below_high("triangular", low, high);
  require_finite("triangular", "mode", mode);
  if (mode < low || mode > high)
    refuse("triangular", "needs low <= mode <= high, got low = " + number(low) + ", mode = " + number(mode) +
                             ", high = " + number(high));
  return Distribution(Kind::triangular, low, high, mode);
}

Distribution Distribution::discrete(std::vector<double> values, std::vector<double> weights) {
  if (values.empty()) refuse("discrete", "needs at least one value");
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!std::isfinite(values[k]))
      refuse("discrete", "value " + std::to_string(k) + " must be finite, got " + number(values[k]));
  if (weights.empty()) weights.assign(values.size(), 1.0);
  if (weights.size() != values.size())
    refuse("discrete", "needs one weight per value, got " + std::to_string(weights.size()) + " weights for " +
                           std::to_string(values.size()) + " values");
  double total = 0.0;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    if (!std::isfinite(weights[k]) || weights[k] < 0.0)
      refuse("discrete",
             "weight " + std::to_string(k) + " must be finite and >= 0, got " + number(weights[k]));
    total += weights[k];
  }
  if (!(total > 0.0) || !std::isfinite(total))
    refuse("discrete", "weights must have a positive, finite sum, got " + number(total));

  Distribution d(Kind::discrete, 0.0, 0.0, 0.0);
  d.cumulative_.resize(weights.size());
  double running = 0.0;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    running += weights[k];
    d.cumulative_[k] = running / total;
  }
  // Rounding may leave the sum a hair below 1; the last step must reach it so
  // that every u < 1 finds a value. Trailing zero weights stay at 1 and are
  // never selected because the search stops at the first W_k > u.
  for (std::size_t k = weights.size(); k-- > 0;) {
    d.cumulative_[k] = 1.0;
    if (weights[k] > 0.0) break;
  }
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (weights[k] > 0.0) {
      low = std::min(low, values[k]);
      high = std::max(high, values[k]);
    }
  }
  d.a_ = low;
  d.b_ = high;
  d.values_ = std::move(values);
  return d;
}

double Distribution::quantile(double u) const {
  const bool in_open = u > 0.0 && u < 1.0;
  const bool in_closed = u >= 0.0 && u <= 1.0;
  if (!(in_open || (bounded() && in_closed)))
    throw Error(std::string(kind_name(kind_)) + " distribution: quantile needs a probability in " +
                (bounded() ? "[0, 1]" : "(0, 1)") + ", got " + number(u));
  switch (kind_) {
  case Kind::uniform: return std::clamp(a_ + u * (b_ - a_), a_, b_);
  case Kind::loguniform: {
    if (u == 0.0) return a_;
    if (u == 1.0) return b_;
    const double log_low = std::log(a_);
    return std::clamp(std::exp(log_low + u * (std::log(b_) - log_low)), a_, b_);
  }
  case Kind::normal: return a_ + b_ * standard_normal_quantile(u);
  case Kind::lognormal: return std::exp(a_ + b_ * standard_normal_quantile(u));
  case Kind::triangular: {
    // Closed-form inverse of the piecewise-quadratic CDF; F(mode) = (mode - low) / (high - low).
    const double width = b_ - a_;
    const double cdf_at_mode = (c_ - a_) / width;
    const double x = u < cdf_at_mode ? a_ + std::sqrt(u * width * (c_ - a_))
                                     : b_ - std::sqrt((1.0 - u) * width * (b_ - c_));
    return std::clamp(x, a_, b_);
  }
  case Kind::discrete: {
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    if (it == cumulative_.end()) { // u == 1: the last value with positive weight
      it = std::lower_bound(cumulative_.begin(), cumulative_.end(), 1.0);
    }
    return values_[static_cast<std::size_t>(it - cumulative_.begin())];
  }
  }
  return 0.0;
}

double Distribution::lower_bound() const {
  switch (kind_) {
  case Kind::normal: return -std::numeric_limits<double>::infinity();
  case Kind::lognormal: return 0.0;
  default: return a_;
  }
}

double Distribution::upper_bound() const {
  switch (kind_) {
  case Kind::normal:
  case Kind::lognormal: return std::numeric_limits<double>::infinity();
  default: return b_;
  }
}

std::string Distribution::describe() const {
  const std::string name = kind_name(kind_);
  switch (kind_) {
  case Kind::uniform:
  case Kind::loguniform: return name + "(low=" + number(a_) + ", high=" + number(b_) + ")";
  case Kind::normal: return name + "(mean=" + number(a_) + ", sd=" + number(b_) + ")";
  case Kind::lognormal: return name + "(median=" + number(std::exp(a_)) + ", sigma=" + number(b_) + ")";
  case Kind::triangular:
    return name + "(low=" + number(a_) + ", mode=" + number(c_) + ", high=" + number(b_) + ")";
  case Kind::discrete: {
    std::string s = name + "(values=[";
    for (std::size_t k = 0; k < values_.size(); ++k) s += (k ? ", " : "") + number(values_[k]);
    return s + "])";
  }
  }
  return name;
}

} // namespace arcm::sweep
