// Test functions with known sensitivity indices, evaluated on the sweep
// layer's own designs so the estimators see exactly what a sweep file holds.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "analysis/sobol.hpp"
#include "sweep/designs.hpp"

namespace arcm::analysis::test {

constexpr double PI = 3.14159265358979323846;

//! Ishigami & Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on
//! [-pi, pi]^3, with the usual a = 7, b = 0.1.
struct Ishigami {
  double a{7.0};
  double b{0.1};
  double operator()(const double* x) const {
    const double s2 = std::sin(x[1]);
    return std::sin(x[0]) + a * s2 * s2 + b * std::pow(x[2], 4) * std::sin(x[0]);
  }
  // Analytic partial variances (Sobol' & Levitan 1999; also Saltelli et al.
  // 2008, "Global sensitivity analysis: the primer", section 4.9).
  double v1() const { return 0.5 * std::pow(1.0 + b * std::pow(PI, 4) / 5.0, 2); }
  double v2() const { return a * a / 8.0; }
  double v13() const { return b * b * std::pow(PI, 8) * (1.0 / 18.0 - 1.0 / 50.0); }
  double variance() const { return v1() + v2() + v13(); }
  std::vector<double> first() const { return {v1() / variance(), v2() / variance(), 0.0}; }
  std::vector<double> total() const {
    return {(v1() + v13()) / variance(), v2() / variance(), v13() / variance()};
  }
};

//! Sobol' G-function: prod_i (|4 x_i - 2| + a_i) / (1 + a_i) on [0, 1]^d.
//! V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1, S_i = V_i / V and
//! ST_i = V_i prod_{k != i} (1 + V_k) / V (Saltelli et al. 2010, section 4).
struct GFunction {
  std::vector<double> a;
  double operator()(const double* x) const {
    double g = 1.0;
    for (std::size_t i = 0; i < a.size(); ++i) g *= (std::fabs(4.0 * x[i] - 2.0) + a[i]) / (1.0 + a[i]);
    return g;
  }
  double partial(std::size_t i) const { return 1.0 / (3.0 * (1.0 + a[i]) * (1.0 + a[i])); }
  double variance() const {
    double product = 1.0;
    for (std::size_t i = 0; i < a.size(); ++i) product *= 1.0 + partial(i);
    return product - 1.0;
  }
  std::vector<double> first() const {
    std::vector<double> s;
    for (std::size_t i = 0; i < a.size(); ++i) s.push_back(partial(i) / variance());
    return s;
  }
  std::vector<double> total() const {
    std::vector<double> s;
    for (std::size_t i = 0; i < a.size(); ++i) {
      double others = 1.0;
      for (std::size_t k = 0; k < a.size(); ++k)
        if (k != i) others *= 1.0 + partial(k);
      s.push_back(partial(i) * others / variance());
    }
    return s;
  }
};

//! Evaluates f on every run of a Saltelli design, in run order, and arranges
//! the values by the design's roles, as the analysis of a sweep file does.
template <class F> SaltelliValues evaluate_on_design(const sweep::SobolSaltelliDesign& design, const F& f) {
  std::vector<double> per_run(design.size());
  std::vector<sweep::SaltelliRole> roles(design.size());
  std::vector<double> x(design.dimension());
  for (std::size_t run = 0; run < design.size(); ++run) {
    design.values(run, x.data());
    per_run[run] = f(x.data());
    roles[run] = design.role(run);
  }
  const SaltelliIndex index = saltelli_index(roles, design.n_base(), design.dimension());
  return gather_saltelli(index, per_run.data());
}

} // namespace arcm::analysis::test
