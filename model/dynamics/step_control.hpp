// Step-size control for dopri5 (docs/model.md, "Step-size control").
//
// odeint's default controller grows a successful step by 0.9 err^(-1/5), at
// most by a factor 5, even right after a rejection. The ARCM right-hand side
// has kinks at states the integrator cannot know in advance (investment
// switching on as Tobin's q crosses 1, a financing cap starting to bind, a
// player changing regime in a market); a step across one fails, and growing
// the step that finally passed sends the next attempt straight into another
// failure. This adjuster keeps odeint's formulas and changes two constants to
// those of Hairer and Wanner's DOPRI5 (Solving ODEs I, §II.4 and the dopri5.f
// code):
//
//  1. no growth on the step right after a rejection (the step that passed is
//     tried again);
//  2. growth by at most a factor 0.9 x 10 = 9 (odeint: 0.9 x 5), so that the
//     step recovers in fewer steps after a kink has forced it down.
//
// Every accepted step still meets the error tolerance; only the step sizes
// tried differ. docs/performance.md shows the results stay within the spread
// that the default controller itself shows under a 1e-9 change of the
// tolerance.
#pragma once

#include <algorithm>
#include <cmath>

namespace arcm {

//! The factor by which to shrink a step that failed with weighted error
//! `error` > 1: odeint's 0.9 err^(-1/(q-1)), at most a factor 5.
inline double shrink_factor(double error, int error_order) {
  return std::max(0.9 * std::pow(error, -1.0 / (error_order - 1)), 0.2);
}

//! The factor by which to grow a step that passed with weighted error
//! `error` <= 1: 0.9 err^(-1/p) at most `largest_growth`, when the error is
//! below 0.5 (odeint's rule), else 1; always 1 right after a rejection.
inline double growth_factor(double error, int stepper_order, bool after_rejection, double largest_growth) {
  if (after_rejection || !(error < 0.5)) return 1.0;
  if (!(error > 0.0)) return largest_growth; // an exact step
  return std::min(largest_growth, 0.9 * std::pow(error, -1.0 / stepper_order));
}

//! A step adjuster for odeint's controlled_runge_kutta (its StepAdjuster
//! template argument). One per stepper, so per run and thread.
class KinkStepAdjuster {
public:
  using time_type = double;
  using value_type = double;

  //! The largest factor a step grows by: the safety factor 0.9 times
  //! Hairer's limit of 10 (odeint: 0.9 times 5).
  static constexpr double LARGEST_GROWTH = 9.0;

  double decrease_step(double dt, double error, int error_order) const {
    rejected_ = true;
    return dt * shrink_factor(error, error_order);
  }

  double increase_step(double dt, double error, int stepper_order) const {
    const bool after_rejection = rejected_;
    rejected_ = false;
    return dt * growth_factor(error, stepper_order, after_rejection, LARGEST_GROWTH);
  }

  bool check_step_size_limit(double) const { return true; }
  double get_max_dt() const { return 0.0; }

private:
  // Whether the last attempt failed. odeint calls the adjuster through const
  // member functions.
  mutable bool rejected_{false};
};

} // namespace arcm
