// The distributions a sweep parameter can be drawn from, as inverse CDFs.
//
// Designs produce points in the unit cube; a parameter's Distribution turns its
// coordinate u into a value with quantile(u). Because every design goes through
// the quantile, a Latin hypercube or Sobol design keeps its stratification in
// probability space whatever the distribution.
#pragma once

#include <string>
#include <vector>

namespace arcm::sweep {

//! One parameter's distribution. Construct through the named factories, which
//! validate their arguments and throw arcm::Error with a message naming the
//! distribution and the offending value. Immutable after construction, so a
//! const Distribution may be shared by any number of threads.
class Distribution {
public:
  enum class Kind {
    uniform,    //!< constant density on [low, high]
    loguniform, //!< ln X uniform on [ln low, ln high]; for rates and scales spanning decades
    normal,     //!< mean, standard deviation sd
    lognormal,  //!< ln X ~ normal(ln median, sigma); median = e^meanlog
    triangular, //!< density rising linearly from low to mode, falling to high
    discrete,   //!< one of a list of values, equally likely or with weights
  };

  //! Uniform on [low, high]; needs finite low < high.
  static Distribution uniform(double low, double high);
  //! Log-uniform on [low, high]; needs finite 0 < low < high.
  static Distribution loguniform(double low, double high);
  //! Normal with mean and standard deviation sd > 0.
  static Distribution normal(double mean, double sd);
  //! Lognormal given by its median (> 0) and sigma (> 0), the standard deviation
  //! of ln X. The median is chosen over the mean of ln X because it is in the
  //! parameter's own units; lognormal_meanlog takes the other form.
  static Distribution lognormal(double median, double sigma);
  //! Lognormal given by meanlog = E[ln X] and sigma > 0 (median = e^meanlog).
  static Distribution lognormal_meanlog(double meanlog, double sigma);
  //! Triangular on [low, high] with its peak at mode; low <= mode <= high, low < high.
  static Distribution triangular(double low, double mode, double high);
  //! Discrete on `values` (non-empty, finite), equally likely when `weights` is
  //! empty; otherwise one weight per value, each finite and >= 0, not all zero
  //! (weights are normalised, so they need not sum to 1). Value k is returned for
  //! u in [W_{k-1}, W_k), W the cumulative normalised weights.
  static Distribution discrete(std::vector<double> values, std::vector<double> weights = {});

  Kind kind() const { return kind_; }
  //! The value with cumulative probability u. u must lie in (0, 1); for bounded
  //! kinds (uniform, loguniform, triangular, discrete) u = 0 and u = 1 are also
  //! accepted and give the bounds. Results lie in [lower_bound(), upper_bound()].
  double quantile(double u) const;
  //! Smallest value the distribution can return (-inf for normal, 0 for lognormal).
  double lower_bound() const;
  //! Largest value the distribution can return (+inf for normal and lognormal).
  double upper_bound() const;
  //! Finite support: quantile accepts u = 0 and u = 1.
  bool bounded() const { return kind_ != Kind::normal && kind_ != Kind::lognormal; }
  //! "normal(mean=1, sd=0.5)": for messages and for recording the resolved design.
  std::string describe() const;

  // The defining parameters (meaningful only for the kinds that use them).
  double low() const { return a_; }                             //!< uniform, loguniform, triangular
  double high() const { return b_; }                            //!< uniform, loguniform, triangular
  double mode() const { return c_; }                            //!< triangular
  double mean() const { return a_; }                            //!< normal
  double sd() const { return b_; }                              //!< normal
  double meanlog() const { return a_; }                         //!< lognormal: E[ln X]
  double sigma() const { return b_; }                           //!< lognormal: sd of ln X
  const std::vector<double>& values() const { return values_; } //!< discrete
  const std::vector<double>& cumulative_weights() const { return cumulative_; } //!< discrete, ends at 1

private:
  Distribution(Kind kind, double a, double b, double c) : kind_(kind), a_(a), b_(b), c_(c) {}

  Kind kind_;
  double a_, b_, c_; //!< kind-dependent parameters, see the accessors
  std::vector<double> values_;
  std::vector<double> cumulative_;
};

//! The name used in messages and sweep files: "uniform", "lognormal", ...
const char* kind_name(Distribution::Kind kind);

} // namespace arcm::sweep
