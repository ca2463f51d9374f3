// First- and total-order Sobol indices from a Saltelli design, as pure
// functions over arrays (no files): the estimators of Saltelli et al. (2010),
// Table 2 (b) for first order and (f), Jansen (1999), for total order, with
// bootstrap percentile intervals. docs/analysis.md states the formulas.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "sweep/designs.hpp"

namespace arcm::analysis {

//! Where the runs of each Saltelli block are in an array of per-run values:
//! positions (0-based, in the file's run order) of A_i, B_i and AB_i^(j).
struct SaltelliIndex {
  std::size_t n_base{0};       //!< base samples N
  std::size_t dimension{0};    //!< parameters d
  std::vector<std::size_t> a;  //!< a[i]: position of A_i
  std::vector<std::size_t> b;  //!< b[i]: position of B_i
  std::vector<std::size_t> ab; //!< ab[i*d + j]: position of AB_i^(j)
};

//! Builds the index from each position's role in the design (roles[p] is the
//! role of the run at position p). Throws arcm::Error when a block of the
//! N (d + 2) runs is missing or appears twice (e.g. a shard of a sweep).
SaltelliIndex saltelli_index(const std::vector<sweep::SaltelliRole>& roles, std::size_t n_base,
                             std::size_t dimension);

//! The values of one output on the design: f(A_i), f(B_i), f(AB_i^(j)).
struct SaltelliValues {
  std::size_t dimension{0};
  std::vector<double> a;  //!< N values
  std::vector<double> b;  //!< N values
  std::vector<double> ab; //!< N d values, row i = base sample i
};

//! Gathers one output from per-run values: run at position p has its value
//! at per_run[p * stride] (stride > 1 picks one element of a multi-element
//! variable stored run-major).
SaltelliValues gather_saltelli(const SaltelliIndex& index, const double* per_run, std::size_t stride = 1);

//! Sobol indices of one output, each with a bootstrap interval.
struct SobolIndices {
  std::vector<double> first;      //!< S1_j [-]
  std::vector<double> first_low;  //!< lower end of the interval of S1_j [-]
  std::vector<double> first_high; //!< upper end [-]
  std::vector<double> total;      //!< ST_j [-]
  std::vector<double> total_low;  //!< [-]
  std::vector<double> total_high; //!< [-]
  double mean{0};                 //!< mean of f over the A and B rows used [output units]
  double std{0};          //!< standard deviation (divisor 2n) over the A and B rows used [output units]
  std::size_t samples{0}; //!< base samples used (all d + 2 values finite)
};

//! Point estimates over the base samples listed in `rows` (with repeats, for
//! a bootstrap resample). With m and V the mean and variance of f over the A
//! and B rows, and n = rows.size(),
//!   S1_j = (1/n) sum_i (f(B_i) - m) (f(AB_i^(j)) - f(A_i)) / V      (Saltelli 2010)
//!   ST_j = (1/2n) sum_i (f(A_i) - f(AB_i^(j)))^2 / V                 (Jansen 1999)
//! Centring f(B_i) by m leaves the expectation unchanged (A and B are
//! independent) but removes the variance a large mean adds. Writes NaN when
//! n < 2 or f does not vary (V below (1e-10 |m|)^2 or zero).
void sobol_point_estimates(const SaltelliValues& values, const std::vector<std::size_t>& rows, double* first,
                           double* total, double* mean = nullptr, double* std = nullptr);

//! Indices of one output with percentile intervals from `plan` (whose units
//! are the N base samples). Base samples with any non-finite value are
//! dropped, from the estimate and from every resample.
SobolIndices sobol_indices(const SaltelliValues& values, const BootstrapPlan& plan, double confidence_level);

} // namespace arcm::analysis
