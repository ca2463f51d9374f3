// The dopri5 step-size controller (dynamics/step_control.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "dynamics/step_control.hpp"

using namespace arcm;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace odeint = boost::numeric::odeint;

TEST_CASE("A rejected step shrinks as odeint's controller shrinks it", "[step_control]") {
  // dopri5: error order 4, so 0.9 err^(-1/3), never below a factor 0.2.
  CHECK_THAT(shrink_factor(2.0, 4), WithinRel(0.9 * std::pow(2.0, -1.0 / 3.0), 1e-15));
  CHECK(shrink_factor(1e6, 4) == 0.2);
  CHECK(shrink_factor(1.0 + 1e-12, 4) < 0.9);
}

TEST_CASE("A passed step grows at most ninefold, and not right after a rejection", "[step_control]") {
  CHECK(growth_factor(0.1, 5, true, 9.0) == 1.0);  // after a rejection: hold
  CHECK(growth_factor(0.6, 5, false, 9.0) == 1.0); // error above 0.5: hold (odeint's rule)
  CHECK_THAT(growth_factor(0.1, 5, false, 9.0), WithinRel(0.9 * std::pow(0.1, -0.2), 1e-15));
  CHECK(growth_factor(1e-12, 5, false, 9.0) == 9.0);
  CHECK(growth_factor(0.0, 5, false, 9.0) == 9.0);

  KinkStepAdjuster adjuster;
  const double shrunk = adjuster.decrease_step(1.0, 8.0, 4);
  CHECK_THAT(shrunk, WithinRel(0.45, 1e-12));               // 0.9 * 8^(-1/3)
  CHECK(adjuster.increase_step(shrunk, 1e-3, 5) == shrunk); // first success after the rejection
  CHECK(adjuster.increase_step(shrunk, 1e-3, 5) > shrunk);  // the next one grows again
}

namespace {

// y' = max(0, t - 1) has a kink at t = 1: y = (t - 1)^2 / 2 after it.
struct Kinked {
  void operator()(const std::vector<double>& y, std::vector<double>& dydt, double t) const {
    dydt[0] = t > 1.0 ? t - 1.0 : 0.0;
    dydt[1] = std::cos(t) * y[1]; // a smooth component, y1 = exp(sin t)
  }
};

struct Count {
  long steps = 0, evaluations = 0;
  double error = 0;
};

template <class Stepper> Count integrate_kinked(Stepper stepper) {
  Count count;
  std::vector<double> y{0.0, 1.0};
  auto system = [&count](const std::vector<double>& x, std::vector<double>& dxdt, double t) {
    ++count.evaluations;
    Kinked()(x, dxdt, t);
  };
  stepper.initialize(y, 0.0, 0.01);
  while (stepper.current_time() < 3.0 - 1e-12) {
    if (stepper.current_time() + stepper.current_time_step() > 3.0)
      stepper.initialize(stepper.current_state(), stepper.current_time(), 3.0 - stepper.current_time());
    stepper.do_step(system);
    ++count.steps;
  }
  const std::vector<double>& end = stepper.current_state();
  count.error = std::max(std::fabs(end[0] - 2.0), std::fabs(end[1] - std::exp(std::sin(3.0))));
  return count;
}

} // namespace

TEST_CASE("Across a kink the controller needs fewer evaluations than odeint's and stays accurate",
          "[step_control]") {
  using State = std::vector<double>;
  using Checker = odeint::default_error_checker<double, odeint::range_algebra, odeint::default_operations>;
  using Ours = odeint::dense_output_runge_kutta<
      odeint::controlled_runge_kutta<odeint::runge_kutta_dopri5<State>, Checker, KinkStepAdjuster>>;
  for (double tolerance : {1e-6, 1e-8, 1e-10}) {
    CAPTURE(tolerance);
    const Count standard = integrate_kinked(
        odeint::make_dense_output(tolerance, tolerance, odeint::runge_kutta_dopri5<State>()));
    const Count ours = integrate_kinked(Ours(Ours::controlled_stepper_type(Checker(tolerance, tolerance))));
    CAPTURE(standard.evaluations, ours.evaluations, standard.error, ours.error);
    CHECK(ours.evaluations < standard.evaluations);
    // Both meet the tolerance to within the usual global error growth.
    CHECK(ours.error < 100 * tolerance);
    CHECK(standard.error < 100 * tolerance);
  }
}
