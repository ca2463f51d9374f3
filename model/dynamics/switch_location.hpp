// Retrying a failed dopri5 step up to the switch that made it fail
// (docs/model.md §4, "Switches located in failed steps"; what it costs and
// saves: docs/performance.md).
//
// A plant's investment switches on or off where its Tobin's q crosses 1
// (I* ∝ max(0, Q − 1)): a kink of the right-hand side. A buyer's cheapest way
// to fly changing makes dX/dt jump (docs/model.md §2, "Continuity", and
// §3.1). A step across either fails, and odeint's controller, which assumes a
// smooth error ∝ h⁵, shrinks the step in several failed attempts before one
// passes. Here, when an attempt fails, the component with the largest
// weighted error names the switches that may have caused it; if one of them
// crossed within the attempt, the first crossing is found by regula falsi
// (Illinois) on the failed attempt's own interpolant. At a kink the retry ends
// just past it, where it costs almost no error, and the step after it starts
// from the size that failed. At a jump the retry ends just before it and the
// integration restarts just after it.
//
// A kink can also be seen coming: after an accepted step, every plant's
// Q − 1 is extrapolated over the proposed next step (a parabola through its
// values at the ends of this step and the start of the previous one), and a
// step that would cross a predicted switch is shortened to end just past it,
// as a located retry would, without first failing (docs/model.md §4,
// "Switches predicted"). Every accepted step still meets the error tolerance;
// only the step sizes tried differ.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "core/state.hpp"
#include "dynamics/probe.hpp"
#include "dynamics/step_control.hpp"
#include "dynamics/system.hpp"

namespace arcm {

//! odeint's default error measure for dopri5, bit for bit (max over i of
//! |err_i| / (atol + rtol (|x_i| + |h| |x'_i|))), which also notes the
//! component with the largest weighted error in `*worst` and, for a probed
//! run, every rejected step in the probe.
class WeightedErrorChecker {
public:
  WeightedErrorChecker() = default;
  WeightedErrorChecker(double absolute, double relative, std::size_t* worst, RunProbe* probe = nullptr)
      : absolute_(absolute), relative_(relative), worst_(worst), probe_(probe) {}

  template <class Algebra>
  double error(Algebra&, const StateVector& x_old, const StateVector& dxdt_old, StateVector& x_err,
               double dt) const {
    // Written as odeint's rel_error operation computes it (with a_x = a_dxdt =
    // 1), so the error and hence every step are the same bits.
    const double h = std::fabs(dt);
    double largest = 0.0;
    std::size_t worst = 0;
    for (std::size_t i = 0; i < x_err.size(); ++i) {
      const double scale =
          absolute_ + relative_ * (1.0 * std::fabs(x_old[i]) + (1.0 * h) * std::fabs(dxdt_old[i]));
      const double e = std::fabs(x_err[i]) / scale;
      if (e > largest) {
        largest = e;
        worst = i;
      }
    }
    if (worst_ != nullptr) *worst_ = worst;
    // dopri5's last stage is at t + dt; the probe saw that call last.
    if (probe_ != nullptr && largest > 1.0)
      probe_->rejected.push_back({probe_->last_call_time - dt, dt, worst, largest});
    return largest;
  }

private:
  double absolute_{0}, relative_{0};
  std::size_t* worst_{nullptr};
  RunProbe* probe_{nullptr};
};

//! dopri5 with dense output, as odeint's dense_output_runge_kutta (the same
//! arithmetic, so the same steps), with one addition: after a failed attempt,
//! `retry.after_failure(t, tried, proposed, interpolate)` chooses the next
//! attempt's step, with the failed attempt's interpolant at hand
//! (`interpolate(tau, out)`); `retry.after_success(proposed, accepted)` may
//! change the step proposed after an accepted step of length `accepted`; and
//! `retry.begin()` is called before each step's first attempt.
template <class Checker> class RetryingDopri5 {
public:
  using Controlled =
      boost::numeric::odeint::controlled_runge_kutta<boost::numeric::odeint::runge_kutta_dopri5<StateVector>,
                                                     Checker, KinkStepAdjuster>;
  explicit RetryingDopri5(const Controlled& controlled) : controlled_(controlled) {}

  void initialize(const StateVector& x0, double t0, double dt0) {
    x_ = x0;
    t_ = t0;
    dt_ = dt0;
    derivative_ready_ = false;
  }

  //! One accepted step; returns (t_before, t_after). Throws after 500 failed
  //! attempts in a row (odeint throws after its 500th failure).
  template <class System, class Retry> std::pair<double, double> do_step(System system, Retry& retry) {
    if (!derivative_ready_) {
      dxdt_.resize(x_.size());
      system(x_, dxdt_, t_);
      derivative_ready_ = true;
    }
    x_new_.resize(x_.size());
    dxdt_new_.resize(x_.size());
    retry.begin();
    for (int failures = 0;; ++failures) {
      if (failures >= 500) throw std::runtime_error("500 failed step attempts in a row");
      double t = t_;
      double dt = dt_;
      const double tried = dt;
      if (controlled_.try_step(system, x_, dxdt_, t, x_new_, dxdt_new_, dt) ==
          boost::numeric::odeint::success) {
        std::swap(x_old_, x_);
        std::swap(x_, x_new_);
        std::swap(dxdt_old_, dxdt_);
        std::swap(dxdt_, dxdt_new_);
        t_old_ = t_;
        t_ = t;
        dt_ = retry.after_success(dt, t_ - t_old_);
        return {t_old_, t_};
      }
      auto interpolate = [&](double tau, StateVector& out) {
        controlled_.stepper().calc_state(tau, out, x_, dxdt_, t_, x_new_, dxdt_new_, t_ + tried);
      };
      ++failed_attempts_;
      dt_ = retry.after_failure(t_, tried, dt, interpolate);
    }
  }

  //! Attempts the error control has rejected since construction.
  long failed_attempts() const { return failed_attempts_; }

  //! The state at t within the last accepted step (dense output).
  void calc_state(double t, StateVector& out) const {
    controlled_.stepper().calc_state(t, out, x_old_, dxdt_old_, t_old_, x_, dxdt_, t_);
  }
  const StateVector& current_state() const { return x_; }
  const StateVector& previous_state() const { return x_old_; }
  double current_time_step() const { return dt_; }

private:
  // calc_state of odeint's dopri5 reads the stages it keeps, through a
  // non-const stepper().
  mutable Controlled controlled_;
  StateVector x_, x_old_, x_new_, dxdt_, dxdt_old_, dxdt_new_;
  double t_{0}, t_old_{0}, dt_{0};
  bool derivative_ready_{false};
  long failed_attempts_{0};
};

//! What can make the error of one state component jump or kink: the
//! investment switches of a range of plants [first_plant, last_plant) (i * M
//! + k), and for the launch experience X_j of actor j, a change of launch
//! provider by a buyer that involves j.
struct SwitchCause {
  std::size_t first_plant{0}, last_plant{0};
  int launch_provider{-1}; //!< j for X_j, else −1
};

//! For each state component, what may cause its error: a plant's own K, U
//! and C; every plant of an actor for its V, Π and cumulative royalties;
//! provider changes for X; nothing for the others.
inline std::vector<SwitchCause> switch_causes(const StateLayout& layout) {
  const std::size_t n = layout.n_actors(), m = layout.n_resources();
  std::vector<SwitchCause> causes(layout.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < m; ++k)
      for (std::size_t c : {layout.capacity(i, k), layout.pipeline(i, k), layout.extracted(i, k)})
        causes[c] = {i * m + k, i * m + k + 1, -1};
    for (std::size_t c : {layout.npv(i), layout.profit(i), layout.royalties_paid(i)})
      causes[c] = {i * m, i * m + m, -1};
    causes[layout.experience(i)] = {0, 0, static_cast<int>(i)};
  }
  return causes;
}

//! The retry policy for switches (see the top of this file). `now` is the
//! workspace the stepped system leaves after each evaluation;
//! `evaluate_at(state, t)` evaluates the system elsewhere and returns its
//! workspace; `worst_component` is where the error checker notes the
//! component with the largest error.
template <class EvaluateAt> class SwitchRetry {
public:
  //! `enabled`: locate switches in failed attempts. `entered`: per plant,
  //! whether it has entered; with it, steps are also shortened to predicted
  //! investment switches of the plants entered or in the money (an entry out
  //! of the money is an event of its own); nullptr: no prediction.
  SwitchRetry(const Workspace& now, EvaluateAt evaluate_at, const std::vector<SwitchCause>& causes,
              const std::size_t& worst_component, std::size_t state_size, bool enabled,
              const std::vector<std::int8_t>* entered)
      : now_(now), evaluate_at_(std::move(evaluate_at)), causes_(causes), worst_(worst_component),
        state_(state_size), enabled_(enabled), entered_(enabled ? entered : nullptr) {}

  //! A step's start is where the stepped system was last evaluated.
  void begin() {
    retrying_ = false;
    if (!enabled_) return;
    start_gap_ = now_.entry_gap;
    start_provider_ = now_.launch_provider;
    start_own_cost_ = now_.own_launch_cost;
    start_offer_ = now_.launch_offer;
  }

  template <class Interpolate>
  double after_failure(double t, double tried, double proposed, const Interpolate& interpolate) {
    // A retry that ended at a located switch and still failed: the usual
    // shrink, and no restart after a jump the shorter step will not reach.
    // A step shortened to a predicted switch that failed is located as any.
    // The step after the retry resumes the shortened size, not the one the
    // prediction cut: resuming the larger size costs more evaluations than it
    // saves (docs/performance.md).
    if (shortened_to_prediction_) ++failed_predictions;
    shortened_to_prediction_ = false;
    if (!enabled_ || retrying_) {
      retrying_ = false;
      jump_after_ = 0.0;
      return proposed;
    }
    if (worst_ >= causes_.size()) return proposed;
    collect_switches(causes_[worst_]);
    if (switches_.empty()) return proposed;

    double lo = t, hi = t + tried;
    lo_values_.resize(switches_.size());
    for (std::size_t s = 0; s < switches_.size(); ++s) lo_values_[s] = start_value(switches_[s]);
    hi_values_.resize(switches_.size());
    for (std::size_t s = 0; s < switches_.size(); ++s) hi_values_[s] = value(switches_[s], now_);
    narrow(lo, hi, TOLERANCE * tried, MAX_ITERATIONS, interpolate);
    ++located;
    retrying_ = true;
    resume_ = tried;
    if (!crossing_is_jump()) return hi - t; // a kink: just past it
    // A jump of dX/dt: no step may hold it, so the retry ends just before it
    // and the integration restarts just after it (take_jump()), both within
    // JUMP_TOLERANCE of it.
    const double jump_tolerance = JUMP_TOLERANCE * std::max(1.0, std::fabs(t));
    narrow(lo, hi, jump_tolerance, MAX_JUMP_ITERATIONS, interpolate);
    if (lo - t <= jump_tolerance) return hi - t; // at the step's start: a step of about 0 across it
    jump_after_ = hi;
    return lo - t;
  }

  //! The step to propose after an accepted step of length `accepted` [yr],
  //! for which the controller proposed `proposed` [yr].
  double after_success(double proposed, double accepted) {
    if (retrying_ || shortened_to_prediction_) {
      // The switch that failed a step, or was predicted, is now behind us:
      // the step after it starts from the size it interrupted (else it would
      // creep back up from the short one) and makes no prediction of its own
      // (one so soon after a switch cuts more steps short than it saves;
      // docs/performance.md).
      retrying_ = false;
      shortened_to_prediction_ = false;
      remember_step(accepted);
      return std::max(proposed, resume_);
    }
    if (entered_ == nullptr || !(accepted > 0.0)) return proposed;
    const double first = predicted_crossing(proposed, accepted);
    remember_step(accepted);
    // Not within the step, or so near its start that a step to it would be
    // wasted (a kink there costs little error anyway).
    if (!(first < proposed) || first < PREDICTION_MIN_FRACTION * proposed) return proposed;
    shortened_to_prediction_ = true;
    ++predicted_steps;
    resume_ = proposed;
    return std::min(proposed, first * (1.0 + PREDICTION_MARGIN));
  }

  //! The integration restarted (an entry, a jump): the next prediction
  //! extrapolates from the next step alone. A step already shortened to a
  //! predicted switch keeps its size, but the step after it is the
  //! controller's again: carrying the cut size across a restart costs more
  //! evaluations on the larger scenarios (docs/performance.md).
  void restart() {
    shortened_to_prediction_ = false;
    previous_accepted_ = 0.0;
  }

  //! After an accepted step that ended just before a located jump: the time
  //! just after it, where the integration must restart; else 0. Clears it.
  double take_jump() { return std::exchange(jump_after_, 0.0); }

  long located{0};            //!< failed attempts whose retry was chosen by a located switch
  long predicted_steps{0};    //!< steps shortened to end just past a predicted switch
  long failed_predictions{0}; //!< of those, the ones that failed all the same

  //! A step shortened to a predicted switch ends this fraction of the step to
  //! the crossing past it, so that the switch stays inside the step despite
  //! the extrapolation's error. Margins from 0.1 to 5 % differ only as
  //! irregularly as the step sequences do (docs/performance.md).
  static constexpr double PREDICTION_MARGIN = 0.01;
  //! No step is shortened to a predicted crossing nearer than this fraction of
  //! the proposed step.
  static constexpr double PREDICTION_MIN_FRACTION = 0.05;
  //! Bisection steps that find a predicted crossing on its parabola.
  static constexpr int PREDICTION_BISECTIONS = 30;

  //! Regula falsi stops when the bracket is this fraction of the failed step,
  //! or after MAX_ITERATIONS evaluations: of the brackets and limits measured,
  //! these take the fewest evaluations (docs/performance.md).
  static constexpr double TOLERANCE = 1e-3;
  static constexpr int MAX_ITERATIONS = 4;
  //! A jump is located to this relative precision in time (as entries are).
  static constexpr double JUMP_TOLERANCE = 1e-9;
  static constexpr int MAX_JUMP_ITERATIONS = 40;

private:
  // The first time τ in (0, proposed] at which a plant's Q − 1, extrapolated
  // from the step just accepted (length `accepted`), changes sign; `proposed`
  // if none does. The extrapolation is the parabola through Q − 1 at this
  // step's ends and the previous step's start, or the line through this
  // step's ends when there is no previous step.
  double predicted_crossing(double proposed, double accepted) const {
    const bool parabola = previous_accepted_ > 0.0;
    double first = proposed;
    for (std::size_t p = 0; p < start_gap_.size(); ++p) {
      // A plant out of the money enters with a jump, an event located after
      // the step: a step ending just short of it could see K leave 0 in its
      // stages and mark the plant entered without the jump.
      const bool entered = (*entered_)[p];
      if (!entered && !(now_.gross_margin[p] > 0.0)) continue;
      const double at_start = start_gap_[p], at_end = now_.entry_gap[p];
      // g(τ) = at_end + slope τ + curvature τ² (τ from this step's end)
      double slope = (at_end - at_start) / accepted, curvature = 0.0;
      if (parabola) {
        const double previous_slope = (at_start - previous_gap_[p]) / previous_accepted_;
        curvature = (slope - previous_slope) / (previous_accepted_ + accepted);
        slope += curvature * accepted;
      }
      auto g = [&](double tau) { return at_end + (slope + curvature * tau) * tau; };
      if (!changed(at_end, g(first))) continue; // (a parabola may cross twice: an even count is missed)
      double lo = 0.0, hi = first;
      for (int i = 0; i < PREDICTION_BISECTIONS; ++i) {
        const double mid = 0.5 * (lo + hi);
        (changed(at_end, g(mid)) ? hi : lo) = mid;
      }
      first = hi;
    }
    return first;
  }
  void remember_step(double accepted) {
    previous_gap_ = start_gap_;
    previous_accepted_ = accepted;
  }

  // Illinois regula falsi for the first crossing among switches_ between lo
  // and hi (lo_values_, hi_values_ their values there): an end kept twice in
  // a row has its values halved, so both ends of the bracket converge.
  template <class Interpolate>
  void narrow(double& lo, double& hi, double width, int max_iterations, const Interpolate& interpolate) {
    lo_weights_ = lo_values_;
    hi_weights_ = hi_values_;
    int kept_lo = 0, kept_hi = 0;
    for (int iteration = 0; iteration < max_iterations && hi - lo > width; ++iteration) {
      double t_next = hi;
      for (std::size_t s = 0; s < switches_.size(); ++s)
        if (changed(lo_values_[s], hi_values_[s]))
          t_next = std::min(t_next, lo + (hi - lo) * (lo_weights_[s] / (lo_weights_[s] - hi_weights_[s])));
      if (!(t_next > lo && t_next < hi)) t_next = 0.5 * (lo + hi);
      interpolate(t_next, state_);
      const Workspace& at_next = evaluate_at_(state_, t_next);
      next_values_.resize(switches_.size());
      bool crossed = false;
      for (std::size_t s = 0; s < switches_.size(); ++s) {
        next_values_[s] = value(switches_[s], at_next);
        crossed = crossed || changed(lo_values_[s], next_values_[s]);
      }
      if (crossed) {
        hi = t_next;
        hi_values_ = next_values_;
        hi_weights_ = next_values_;
        kept_hi = 0;
        if (++kept_lo >= 2)
          for (double& v : lo_weights_) v *= 0.5;
      } else {
        lo = t_next;
        lo_values_ = next_values_;
        lo_weights_ = next_values_;
        kept_lo = 0;
        if (++kept_hi >= 2)
          for (double& v : hi_weights_) v *= 0.5;
      }
    }
  }
  // Whether a provider change is among the switches that crossed in [lo, hi].
  bool crossing_is_jump() const {
    for (std::size_t s = 0; s < switches_.size(); ++s)
      if (switches_[s].provider && changed(lo_values_[s], hi_values_[s])) return true;
    return false;
  }

  // A switching function whose sign change is a switch: a plant's Q − 1, or
  // for a buyer whose provider went from `from` to `to` within the attempt
  // (−1: itself), cost(from) − cost(to), which turns positive where `to`
  // becomes the cheaper.
  struct Switch {
    bool provider;
    std::size_t index; // plant, or buyer
    int from, to;
  };
  static bool changed(double a, double b) { return (a > 0.0) != (b > 0.0); }

  void collect_switches(const SwitchCause& cause) {
    switches_.clear();
    for (std::size_t p = cause.first_plant; p < cause.last_plant; ++p)
      if (changed(start_gap_[p], now_.entry_gap[p])) switches_.push_back({false, p, 0, 0});
    if (cause.launch_provider < 0) return;
    const int j = cause.launch_provider;
    for (std::size_t b = 0; b < start_provider_.size(); ++b) {
      const int from = start_provider_[b], to = now_.launch_provider[b];
      const bool involves_j = from == j || to == j || static_cast<int>(b) == j;
      if (from != to && involves_j) switches_.push_back({true, b, from, to});
    }
  }
  static double cost(int provider, std::size_t buyer, const double* own, const double* offer) {
    return provider < 0 ? own[buyer] : offer[provider];
  }
  double start_value(const Switch& s) const {
    if (!s.provider) return start_gap_[s.index];
    return cost(s.from, s.index, start_own_cost_.data(), start_offer_.data()) -
           cost(s.to, s.index, start_own_cost_.data(), start_offer_.data());
  }
  static double value(const Switch& s, const Workspace& w) {
    if (!s.provider) return w.entry_gap[s.index];
    return cost(s.from, s.index, w.own_launch_cost.data(), w.launch_offer.data()) -
           cost(s.to, s.index, w.own_launch_cost.data(), w.launch_offer.data());
  }

  const Workspace& now_;
  EvaluateAt evaluate_at_;
  const std::vector<SwitchCause>& causes_;
  const std::size_t& worst_;
  StateVector state_;
  bool enabled_;
  const std::vector<std::int8_t>* entered_; // per plant; nullptr: no prediction
  std::vector<double> start_gap_, start_own_cost_, start_offer_;
  std::vector<int> start_provider_;
  std::vector<Switch> switches_;
  std::vector<double> lo_values_, hi_values_, lo_weights_, hi_weights_, next_values_;
  bool retrying_{false};
  bool shortened_to_prediction_{false}; // this attempt was shortened to a predicted switch
  std::vector<double> previous_gap_;    // Q − 1 at the previous accepted step's start
  double previous_accepted_{0};         // its length [yr]; 0: none since the last restart
  double resume_{0};                    // [yr] the step a located or predicted switch interrupted
  double jump_after_{0};
};

} // namespace arcm
