// Retrying a failed step up to the switch that failed it
// (dynamics/switch_location.hpp): the error measure and the stepper are
// odeint's to the bit, and located switches make runs cheaper and, at a jump
// of a launch provider, more accurate.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "dynamics/integrate.hpp"
#include "dynamics/probe.hpp"
#include "dynamics/switch_location.hpp"
#include "scenario/loader.hpp"
#include "support/result_access.hpp"

using namespace arcm;
using arcm::testing::var;
namespace odeint = boost::numeric::odeint;

TEST_CASE("The weighted error is odeint's default error, bit for bit, and names its largest component",
          "[switch_location]") {
  std::mt19937_64 random(20261130);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  using Default = odeint::default_error_checker<double, odeint::range_algebra, odeint::default_operations>;
  odeint::range_algebra algebra;
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t size = 1 + static_cast<std::size_t>(trial % 37);
    StateVector x(size), dxdt(size), err(size);
    for (std::size_t i = 0; i < size; ++i) {
      x[i] = uniform(random) * std::pow(10.0, 6.0 * uniform(random));
      dxdt[i] = uniform(random) * std::pow(10.0, 3.0 * uniform(random));
      err[i] = uniform(random) * 1e-6;
    }
    const double dt = 0.01 + std::fabs(uniform(random));
    const double atol = trial % 2 ? 1e-6 : 1e-9, rtol = trial % 3 ? 1e-6 : 1e-10;
    StateVector err_default = err, err_weighted = err;
    const double expected = Default(atol, rtol).error(algebra, x, dxdt, err_default, dt);
    std::size_t worst = size;
    const double got = WeightedErrorChecker(atol, rtol, &worst).error(algebra, x, dxdt, err_weighted, dt);
    CHECK(got == expected);
    REQUIRE(worst < size);
    // The named component has the largest weighted error.
    CHECK(std::fabs(err[worst]) / (atol + rtol * (std::fabs(x[worst]) + dt * std::fabs(dxdt[worst]))) == got);
  }
}

namespace {
// A retry policy for RetryingDopri5 that changes nothing: odeint's behaviour.
struct PlainRetry {
  void begin() {}
  template <class Interpolate> double after_failure(double, double, double proposed, const Interpolate&) {
    return proposed;
  }
  double after_success(double proposed, double) { return proposed; }
};
} // namespace

TEST_CASE("The retrying dopri5 without retries takes odeint's dense-output steps, bit for bit",
          "[switch_location]") {
  // A damped, forced oscillator with a kink: smooth enough for long steps,
  // with a switch that fails some of them.
  auto system = [](const StateVector& x, StateVector& dxdt, double t) {
    dxdt[0] = x[1];
    dxdt[1] = -x[0] - 0.1 * x[1] + std::max(0.0, std::sin(t));
  };
  using Default = odeint::default_error_checker<double, odeint::range_algebra, odeint::default_operations>;
  std::size_t worst = 0;
  // odeint's dense-output dopri5 with the same step adjuster (KinkStepAdjuster).
  using SameAdjuster = odeint::dense_output_runge_kutta<
      odeint::controlled_runge_kutta<odeint::runge_kutta_dopri5<StateVector>, Default, KinkStepAdjuster>>;
  SameAdjuster reference(SameAdjuster::controlled_stepper_type(Default(1e-8, 1e-8), KinkStepAdjuster()));
  RetryingDopri5<WeightedErrorChecker> retrying(RetryingDopri5<WeightedErrorChecker>::Controlled(
      WeightedErrorChecker(1e-8, 1e-8, &worst), KinkStepAdjuster()));
  const StateVector x0{1.0, 0.0};
  reference.initialize(x0, 0.0, 0.01);
  retrying.initialize(x0, 0.0, 0.01);
  PlainRetry plain;
  int steps = 0;
  StateVector a(2), b(2);
  while (reference.current_time() < 30.0) {
    const auto expected = reference.do_step(system);
    const auto got = retrying.do_step(system, plain);
    REQUIRE(got.first == expected.first);
    REQUIRE(got.second == expected.second);
    CHECK(retrying.current_state() == reference.current_state());
    CHECK(retrying.current_time_step() == reference.current_time_step());
    const double middle = 0.5 * (got.first + got.second);
    reference.calc_state(middle, a);
    retrying.calc_state(middle, b);
    CHECK(a == b);
    ++steps;
  }
  CHECK(steps > 20);
}

namespace {
Scenario with_location(const std::string& file, bool locate, double tolerance) {
  Scenario s = load_scenario(std::string(ARCM_TEST_DATA_DIR) + "/scenarios/" + file);
  s.integrator.locate_switches = locate;
  s.integrator.relative_tolerance = tolerance;
  s.integrator.absolute_tolerance = tolerance;
  return s;
}

// Largest error relative to max(|reference|, 1e-6 of its largest value), as docs/model.md §11.
double largest_error(const Variable& got, const Variable& reference) {
  double largest_value = 0.0;
  for (double v : reference.data) largest_value = std::max(largest_value, std::fabs(v));
  double worst = 0.0;
  for (std::size_t i = 0; i < got.data.size(); ++i)
    worst = std::max(worst, std::fabs(got.data[i] - reference.data[i]) /
                                std::max(std::fabs(reference.data[i]), 1e-6 * largest_value));
  return worst;
}
} // namespace

TEST_CASE("Jumps of a launch provider are located: fewer failed steps and launch experience ten times closer "
          "to a tight run",
          "[switch_location]") {
  // A fast-learning newcomer undercuts the incumbent launch firm; the buyer
  // and the incumbent change provider, so launch experience accrues to
  // another flyer: dX/dt jumps.
  const RunResults located = simulate(with_location("provider_switch.yaml", true, 1e-6));
  const RunResults stepped_over = simulate(with_location("provider_switch.yaml", false, 1e-6));
  const RunResults tight = simulate(with_location("provider_switch.yaml", true, 1e-10));
  REQUIRE(located.status == RunStatus::ok);
  REQUIRE(stepped_over.status == RunStatus::ok);
  REQUIRE(tight.status == RunStatus::ok);
  // The switches happen: the buyer's launch cost follows the newcomer's offer by the end.
  const Variable& cost = var(tight, "launch_cost");
  const std::size_t last = cost.data.size() - 3;
  CHECK(cost.data[last + 0] ==
        Approx(1.1 * cost.data[last + 2]).epsilon(1e-12)); // buyer pays newcomer's offer

  CHECK(located.rejected_steps < stepped_over.rejected_steps / 2);
  CHECK(located.rhs_evaluations < stepped_over.rhs_evaluations);
  const double error_located =
      largest_error(var(located, "launch_experience"), var(tight, "launch_experience"));
  const double error_over =
      largest_error(var(stepped_over, "launch_experience"), var(tight, "launch_experience"));
  INFO("launch experience: located " << error_located << ", stepped over " << error_over);
  CHECK(error_located < 2e-5);
  CHECK(error_located < 0.2 * error_over);
  // The tight runs of both agree: the location changes the numerics, not the model.
  const RunResults tight_over = simulate(with_location("provider_switch.yaml", false, 1e-10));
  CHECK(largest_error(var(tight_over, "launch_experience"), var(tight, "launch_experience")) < 1e-6);
}

TEST_CASE("Investment switches are located and predicted: the baseline takes fewer evaluations, as "
          "accurately",
          "[switch_location]") {
  const std::string baseline = std::string(ARCM_TEST_DATA_DIR) + "/../../config/scenarios/baseline.yaml";
  auto run = [&](bool locate, bool predict, double tolerance) {
    Scenario s = load_scenario(baseline);
    s.integrator.locate_switches = locate;
    s.integrator.predict_switches = predict;
    s.integrator.relative_tolerance = tolerance;
    s.integrator.absolute_tolerance = tolerance;
    return simulate(s);
  };
  const RunResults predicted = run(true, true, 1e-6), located = run(true, false, 1e-6),
                   stepped_over = run(false, false, 1e-6), tight = run(true, true, 1e-11);
  REQUIRE(predicted.status == RunStatus::ok);
  REQUIRE(located.status == RunStatus::ok);
  REQUIRE(stepped_over.status == RunStatus::ok);
  REQUIRE(tight.status == RunStatus::ok);
  CHECK(located.rhs_evaluations < stepped_over.rhs_evaluations);
  CHECK(predicted.rhs_evaluations < located.rhs_evaluations);
  CHECK(predicted.rejected_steps < located.rejected_steps);
  // Prediction needs location: alone it is off.
  CHECK(run(false, true, 1e-6).rhs_evaluations == stepped_over.rhs_evaluations);
  // Each variable as accurate as odeint's steps over the switches (or within
  // 10 x the tolerance); predicted steps also as accurate as located retries
  // over all the variables (geometric mean of the largest errors: which
  // variable gains depends on where the steps end, docs/performance.md).
  double log_predicted = 0.0, log_located = 0.0;
  for (const char* name :
       {"capacity", "pipeline", "npv", "price", "launch_experience", "debris", "tension"}) {
    const double error_predicted = largest_error(var(predicted, name), var(tight, name));
    const double error_located = largest_error(var(located, name), var(tight, name));
    const double error_over = largest_error(var(stepped_over, name), var(tight, name));
    INFO(name << ": predicted " << error_predicted << ", located " << error_located << ", stepped over "
              << error_over);
    CHECK(error_located < std::max(3.0 * error_over, 10.0 * 1e-6));
    CHECK(error_predicted < std::max(3.0 * error_over, 10.0 * 1e-6));
    log_predicted += std::log(error_predicted);
    log_located += std::log(error_located);
  }
  CHECK(log_predicted < log_located);
}

namespace {
const auto no_interpolation = [](double, StateVector&) {};

// Two actors (a buyer 0 and a launch firm 1) and one resource. Over a failed
// attempt of one year from t = 0, the firm's offer falls as 3 − 1.5 t² while
// the buyer's own cost stays 2: the buyer switches to the firm at t = √(2/3).
// The plant's Q − 1 = 0.5 − 0.75 t² crosses 0 at the same time. (Curved, so
// regula falsi does not land on the root exactly.)
struct TwoActors {
  StateLayout layout{2, 1, 1};
  std::vector<SwitchCause> causes = switch_causes(layout);
  Workspace now, elsewhere;
  std::size_t worst = 0;
  int evaluations = 0;
  std::vector<std::int8_t> entered{1}; // the plant has entered: its switches are predicted
  double gross_margin = 1.0;

  void fill(Workspace& w, double t) const {
    w.resize(2, 1, 0);
    w.gross_margin = {gross_margin};
    w.own_launch_cost = {2.0, 1.0};
    w.launch_offer = {2.2, 3.0 - 1.5 * t * t};
    w.launch_provider = {w.launch_offer[1] < w.own_launch_cost[0] ? 1 : -1, -1};
    w.entry_gap = {0.5 - 0.75 * t * t};
  }
  auto evaluate_at() {
    return [this](const StateVector&, double t) -> const Workspace& {
      ++evaluations;
      fill(elsewhere, t);
      return elsewhere;
    };
  }
  // The retry policy on this workspace, located (and predicted) switches on or off.
  auto retry(bool enabled = true, bool predict = true) {
    return SwitchRetry(now, evaluate_at(), causes, worst, layout.size(), enabled,
                       predict ? &entered : nullptr);
  }
  // A step from t0 to t1 has been accepted, and the controller proposes
  // `proposed` next: the step the policy chooses.
  template <class Retry> double step_accepted(Retry& retry, double t0, double t1, double proposed) {
    fill(now, t0);
    retry.begin();
    fill(now, t1);
    return retry.after_success(proposed, t1 - t0);
  }
  // An attempt from t = 0 to 1 has failed with its largest error in `component`.
  template <class Retry> void attempt_failed(Retry& retry, std::size_t component) {
    fill(now, 0.0);
    retry.begin();
    fill(now, 1.0);
    worst = component;
  }
  // That attempt's failure shown to `retry` (odeint proposing 0.3 next): the step it chooses.
  template <class Retry> double fail_once(Retry& retry, std::size_t component) {
    attempt_failed(retry, component);
    return retry.after_failure(0.0, 1.0, 0.3, no_interpolation);
  }
};
const double crossing = std::sqrt(2.0 / 3.0);
} // namespace

TEST_CASE("A located provider change: the retry ends just before it and the restart comes just after",
          "[switch_location]") {
  TwoActors two;
  auto retry = two.retry();
  const double step = two.fail_once(retry, two.layout.experience(1));
  CHECK(step <= crossing); // where the offers tie, the old provider still wins
  CHECK(step > crossing - 1e-8);
  CHECK(retry.after_success(0.5, step) == 1.0); // back to the step that failed
  const double restart = retry.take_jump();
  CHECK(restart > crossing);
  CHECK(restart - step <= SwitchRetry<decltype(two.evaluate_at())>::JUMP_TOLERANCE);
  CHECK(retry.take_jump() == 0.0); // taken once
  CHECK(two.evaluations <= 4 + SwitchRetry<decltype(two.evaluate_at())>::MAX_JUMP_ITERATIONS);
}

TEST_CASE("A retry that fails forgets the located jump: no restart after the shorter step",
          "[switch_location]") {
  TwoActors two;
  auto retry = two.retry();
  const double step = two.fail_once(retry, two.layout.experience(1));
  REQUIRE(step <= crossing);
  // The retry fails too: the usual shrink, and the jump is forgotten.
  CHECK(retry.after_failure(0.0, step, 0.2, no_interpolation) == 0.2);
  CHECK(retry.after_success(0.25, 0.2) == 0.25);
  CHECK(retry.take_jump() == 0.0);
}

TEST_CASE("A located kink: the retry ends just past it; an error elsewhere is not located",
          "[switch_location]") {
  TwoActors two;
  auto retry = two.retry();
  const double step = two.fail_once(retry, two.layout.pipeline(0, 0)); // the plant's own U
  // Past the crossing, within the bracket that four evaluations leave on this
  // curved function (the 1e-3 bracket is reached on straighter ones).
  CHECK(step > crossing);
  CHECK(step < crossing + 0.02);
  CHECK(retry.after_success(0.5, step) == 1.0);
  CHECK(retry.take_jump() == 0.0); // a kink needs no restart

  // The largest error in the debris: no switch can have caused it, though
  // both switches crossed.
  const int before = two.evaluations;
  CHECK(two.fail_once(retry, two.layout.debris()) == 0.3);
  CHECK(two.evaluations == before);
  // Switched off: the usual shrink, always.
  auto off = two.retry(false);
  CHECK(two.fail_once(off, two.layout.experience(1)) == 0.3);
}

TEST_CASE("A predicted kink: the step is shortened to end just past it, and the next resumes",
          "[switch_location]") {
  // The plant's Q − 1 = 0.5 − 0.75 t² crosses 0 at t = √(2/3) ≈ 0.8165.
  // Accepted steps [0, 0.2] and [0.2, 0.4]; the controller proposes 0.6 next,
  // which would cross it.
  using Policy = SwitchRetry<decltype(TwoActors().evaluate_at())>;
  TwoActors two;
  auto retry = two.retry();
  // After the first step only a line is known: 0.47 − 0.15 τ stays positive over 0.3.
  CHECK(two.step_accepted(retry, 0.0, 0.2, 0.3) == 0.3);
  // The parabola through three values of a parabola is exact.
  const double to_crossing = crossing - 0.4;
  const double step = two.step_accepted(retry, 0.2, 0.4, 0.6);
  CHECK(step == Approx(to_crossing * (1.0 + Policy::PREDICTION_MARGIN)).epsilon(1e-8));
  CHECK(retry.predicted_steps == 1);
  // That step passes: the next starts from the size it interrupted.
  CHECK(two.step_accepted(retry, 0.4, 0.4 + step, 0.1) == 0.6);
  CHECK(retry.failed_predictions == 0);
  CHECK(two.evaluations == 0); // a prediction evaluates nothing

  // Switched off (prediction alone, or location with it): the controller's step.
  for (auto off : {two.retry(true, false), two.retry(false, true)}) {
    CHECK(two.step_accepted(off, 0.0, 0.2, 0.3) == 0.3);
    CHECK(two.step_accepted(off, 0.2, 0.4, 0.6) == 0.6);
    CHECK(off.predicted_steps == 0);
  }
}

TEST_CASE("Predictions: none after a restart from one line that misses, none too near, and a failed one is "
          "located",
          "[switch_location]") {
  TwoActors two;
  {
    // After a restart only the line through [0.2, 0.4] is known: 0.38 − 0.45 τ
    // reaches 0 at τ ≈ 0.84, beyond the proposed 0.6.
    auto retry = two.retry();
    two.step_accepted(retry, 0.0, 0.2, 0.3);
    retry.restart();
    CHECK(two.step_accepted(retry, 0.2, 0.4, 0.6) == 0.6);
    CHECK(retry.predicted_steps == 0);
  }
  {
    // A restart between a shortened step and the next: the shortened step
    // keeps its size, and the one after it is the controller's proposal, not
    // the size the prediction cut.
    auto retry = two.retry();
    two.step_accepted(retry, 0.0, 0.2, 0.3);
    const double shortened = two.step_accepted(retry, 0.2, 0.4, 0.6);
    REQUIRE(shortened < 0.6);
    retry.restart();
    CHECK(two.step_accepted(retry, 0.4, 0.4 + shortened, 0.1) == 0.1);
    // With no previous step, the line through the restarted step's ends is
    // extrapolated: Q − 1 is past its crossing and stays so.
    CHECK(retry.predicted_steps == 1);
  }
  {
    // A plant that has not entered, out of the money: its crossing is an
    // entry with a jump, an event located after the step, and is not
    // predicted. (In the money it enters continuously, and is.)
    two.entered = {0};
    two.gross_margin = -1.0;
    auto retry = two.retry();
    two.step_accepted(retry, 0.0, 0.2, 0.3);
    CHECK(two.step_accepted(retry, 0.2, 0.4, 0.6) == 0.6);
    CHECK(retry.predicted_steps == 0);
    two.gross_margin = 1.0;
    auto in_the_money = two.retry();
    two.step_accepted(in_the_money, 0.0, 0.2, 0.3);
    CHECK(two.step_accepted(in_the_money, 0.2, 0.4, 0.6) < 0.6);
    two.entered = {1};
  }
  {
    // A crossing at 2 % of the proposed step is not worth a step of its own.
    auto retry = two.retry();
    two.step_accepted(retry, 0.6, 0.7, 0.1);
    const double near = crossing - 0.8; // ≈ 0.0165 from the step's end at 0.8
    CHECK(two.step_accepted(retry, 0.7, 0.8, near / 0.02) == Approx(near / 0.02));
    CHECK(retry.predicted_steps == 0);
  }
  {
    // The shortened step fails all the same: counted, and located as any failure.
    auto retry = two.retry();
    two.step_accepted(retry, 0.0, 0.2, 0.3);
    REQUIRE(two.step_accepted(retry, 0.2, 0.4, 0.6) < 0.6);
    const double step = two.fail_once(retry, two.layout.pipeline(0, 0));
    CHECK(retry.failed_predictions == 1);
    CHECK(retry.located == 1);
    CHECK(step > crossing);
    CHECK(step < crossing + 0.02);
    CHECK(retry.after_success(0.5, step) == 1.0); // the located retry's own resumption
  }
}

TEST_CASE("rejected_steps counts every failed attempt, also around restarts", "[switch_location]") {
  // The probe's error checker records each attempt whose weighted error
  // exceeds 1; the results must report exactly that many. generated_5x6
  // restarts twice at one time (an entry, then the last step shortened onto
  // the end), where a count derived from the RHS evaluations would be one too low.
  for (const char* file : {"generated_5x6.yaml", "provider_switch.yaml", "entry_out_of_money.yaml"}) {
    const Scenario s = load_scenario(std::string(ARCM_TEST_DATA_DIR) + "/scenarios/" + file);
    RunProbe probe;
    const RunResults results = simulate_probed(s, probe);
    INFO(file);
    REQUIRE(results.status == RunStatus::ok);
    CHECK(results.rejected_steps > 0);
    CHECK(results.rejected_steps == static_cast<long>(probe.rejected.size()));
    // Every attempt, accepted or not, costs six evaluations, so at least this many were made.
    CHECK(results.rhs_evaluations >= 6 * (results.accepted_steps + results.rejected_steps));
  }
  // A run that stops early (its step limit) counts the failures up to there.
  Scenario limited = load_scenario(std::string(ARCM_TEST_DATA_DIR) + "/scenarios/generated_5x6.yaml");
  limited.integrator.max_steps = 36;
  RunProbe probe;
  const RunResults stopped = simulate_probed(limited, probe);
  REQUIRE(stopped.status == RunStatus::failed);
  CHECK(stopped.rejected_steps > 0);
  CHECK(stopped.rejected_steps == static_cast<long>(probe.rejected.size()));
}

TEST_CASE("The probe's census counts the switches a run gets past", "[switch_location]") {
  auto census = [](const char* file) {
    RunProbe probe;
    const RunResults results =
        simulate_probed(load_scenario(std::string(ARCM_TEST_DATA_DIR) + "/scenarios/" + file), probe);
    REQUIRE(results.status == RunStatus::ok);
    return probe;
  };
  // The buyer and the incumbent both turn to the newcomer once; nobody enters.
  const RunProbe providers = census("provider_switch.yaml");
  CHECK(providers.provider_changes == 2);
  CHECK(providers.entries == 0);
  CHECK(providers.located_switches > 0);
  // One plant enters out of the money; no launch provider changes.
  const RunProbe entry = census("entry_out_of_money.yaml");
  CHECK(entry.entries == 1);
  CHECK(entry.provider_changes == 0);
  // Investment switching on or off is a property of the trajectory, not of
  // the steps: runs that step differently (switches located or stepped over,
  // restarting at entries in other places) count the same switches.
  auto switches = [](bool locate, double tolerance, bool predict = true) {
    Scenario s = load_scenario(std::string(ARCM_TEST_DATA_DIR) + "/../../config/scenarios/baseline.yaml");
    s.integrator.locate_switches = locate;
    s.integrator.predict_switches = predict;
    s.integrator.relative_tolerance = s.integrator.absolute_tolerance = tolerance;
    RunProbe probe;
    REQUIRE(simulate_probed(s, probe).status == RunStatus::ok);
    return std::vector<long>{probe.investment_switches, probe.entries};
  };
  const std::vector<long> located = switches(true, 1e-6);
  CHECK(located[0] > 0);
  CHECK(located[1] > 0);
  const std::vector<long> stepped_over = switches(false, 1e-6), tight = switches(true, 1e-9),
                          unpredicted = switches(true, 1e-6, false);
  CHECK(stepped_over == located);
  CHECK(tight == located);
  CHECK(unpredicted == located);
}
