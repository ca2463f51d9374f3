// Morris elementary-effects screening as pure functions over arrays: mu,
// mu* (Campolongo et al. 2007) and sigma of the elementary effects of each
// parameter (Morris 1991), with bootstrap intervals over trajectories.
#pragma once

#include <cstddef>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "sweep/designs.hpp"

namespace arcm::analysis {

//! Which pair of runs gives each elementary effect: for trajectory t and
//! parameter j, the runs at positions from[t*d + j] and to[t*d + j] differ in
//! parameter j alone, by sign[t*d + j] * delta in unit space.
struct MorrisIndex {
  std::size_t trajectories{0}; //!< r
  std::size_t dimension{0};    //!< d
  double delta{0};             //!< step in unit space, p / (2 (p - 1))
  std::vector<std::size_t> from;
  std::vector<std::size_t> to;
  std::vector<int> sign;
};

//! Builds the index from each position's role in the design (roles[p] is the
//! role of the run at position p). Throws arcm::Error when a trajectory is
//! incomplete or a parameter does not move exactly once in it.
MorrisIndex morris_index(const std::vector<sweep::MorrisRole>& roles, std::size_t trajectories,
                         std::size_t dimension, double delta);

//! mu, mu* and sigma of one output for each parameter, with intervals.
struct MorrisMeasures {
  std::vector<double> mu, mu_low, mu_high;                //!< mean effect [output units]
  std::vector<double> mu_star, mu_star_low, mu_star_high; //!< mean absolute effect [output units]
  std::vector<double> sigma, sigma_low, sigma_high; //!< standard deviation, divisor n - 1 [output units]
  std::vector<std::size_t> effects;                 //!< finite effects used per parameter
};

//! Elementary effects (f(to) - f(from)) / (sign delta) of one output whose
//! run at position p has its value at per_run[p * stride]; row t, column j.
//! Non-finite when either run is.
std::vector<double> elementary_effects(const MorrisIndex& index, const double* per_run,
                                       std::size_t stride = 1);

//! The measures over the finite effects, with percentile intervals from
//! `plan`, whose units are the r trajectories. mu and mu* need one effect,
//! sigma two; otherwise NaN.
MorrisMeasures morris_measures(const MorrisIndex& index, const std::vector<double>& effects,
                               const BootstrapPlan& plan, double confidence_level);

} // namespace arcm::analysis
