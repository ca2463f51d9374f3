// Events of the integration (docs/model.md §4, "Events"): what can happen
// within a step and must not be stepped over. After every accepted step the
// integrator asks each event, in a fixed order, whether it happened in the
// step; the first that did takes over, through the Control interface:
// it records the outputs before it, and either restarts the integration
// where it happened (an entry, a launch provider's jump) or stops the run
// (non-finite values, a Kessler cascade, the wall-clock and step limits).
// Schedule times end every step on the next event year.
//
// Two more happenings are located on the dense output of the step attempts
// themselves, by the stepper's retry policy (dynamics/switch_location.hpp):
// investment switches (a kink: the step is ended just past it) and launch
// provider changes (a jump: the step ends just before it and ProviderJump
// restarts just after it).
//
// A new kind of event is one class here: derive from Event, find the event in
// AcceptedStep (its state, its dense output, the right-hand side's workspace
// at its end), act through Control, and add it to the integrator's list.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/results.hpp"
#include "core/schedule.hpp"
#include "core/state.hpp"
#include "dynamics/system.hpp"

namespace arcm {

//! Two times closer than this [yr] are the same instant: output years,
//! event years and step ends are all sums of a few decimal numbers.
inline constexpr double SAME_TIME = 1e-9;

//! The state anywhere within an accepted step, from the stepper's dense
//! output; exactly the step's end state at its end.
class DenseOutput {
public:
  template <class Stepper>
  DenseOutput(Stepper& stepper, const StateVector& now, double t_now)
      : stepper_(&stepper), now_(&now), t_now_(t_now),
        at_([](void* s, double t, StateVector& out) { static_cast<Stepper*>(s)->calc_state(t, out); }) {}

  void operator()(double t, StateVector& out) const {
    if (t - t_now_ <= SAME_TIME && t_now_ - t <= SAME_TIME)
      out = *now_;
    else
      interpolate(t, out);
  }
  //! The stepper's interpolant itself, also at the step's end.
  void interpolate(double t, StateVector& out) const {
    out.resize(now_->size()); // odeint writes into `out` as it is
    at_(stepper_, t, out);
  }

private:
  void* stepper_; // odeint's Bulirsch-Stoer interpolates through a non-const member
  const StateVector* now_;
  double t_now_;
  void (*at_)(void*, double, StateVector&);
};

//! One evaluation of a segment's locating system at (state, t), returning
//! its workspace (the evaluations that locate events are counted apart).
using EvaluateAt = std::function<const Workspace&(const StateVector&, double)>;

//! An accepted step [t_prev, t_now], as the events see it.
struct AcceptedStep {
  double t_prev{0};
  double t_now{0};
  const StateVector& previous; //!< the state at t_prev
  const StateVector& now;      //!< the state at t_now
  const DenseOutput& dense;
  //! dopri5's last stage evaluated the stepped system at (now, t_now): its
  //! workspace; nullptr for Bulirsch-Stoer.
  const Workspace* stepped_end;
  const EvaluateAt& evaluate_at;

  //! The right-hand side's workspace at (now, t_now): the stepped system's,
  //! or (Bulirsch-Stoer) a locating evaluation each time it is asked for.
  const Workspace& at_now() const { return stepped_end != nullptr ? *stepped_end : evaluate_at(now, t_now); }
};

//! What an event may do to the integration. The integrator implements it for
//! the step at hand.
class Control {
public:
  virtual ~Control() = default;
  //! Record every output time strictly before `t`.
  virtual void record_outputs_before(double t) = 0;
  //! Record every output time up to the step's end, as after any step.
  virtual void record_outputs_to_step_end() = 0;
  //! The state at `t` from the step's dense output, with the states that
  //! cannot be negative clamped at 0 (as the right-hand side reads them).
  virtual void restart_state(double t, StateVector& x) = 0;
  //! Continue the integration from `x` at `t`: a fresh derivative there, the
  //! step size carried on, and every event told (Event::restarted).
  virtual void restart(const StateVector& x, double t) = 0;
  //! End the run at `t` in state `x`: its final values are x's. For a failed
  //! run `why` becomes its message after "at t = T: ".
  virtual void stop(double t, RunStatus status, const std::string& why, const StateVector& x) = 0;
};

//! One kind of event.
class Event {
public:
  virtual ~Event() = default;
  //! Before the step from `t` of `proposed` [yr]: the step to take instead,
  //! when this event limits it.
  virtual std::optional<double> limit_step(double /*t*/, double /*proposed*/) const { return std::nullopt; }
  //! After every accepted step, before any event acts (to take what the
  //! step attempts located).
  virtual void step_accepted(const AcceptedStep&) {}
  //! Whether this event happened in `step`; if so it has acted through
  //! `control` (restarted or stopped) and the later events are not asked.
  virtual bool handle(const AcceptedStep& step, Control& control) = 0;
  //! The integration restarted (after this or another event).
  virtual void restarted() {}
};

//! Non-finite values after a step: the run fails at the step's start, with
//! its final values there.
class NonFiniteState final : public Event {
public:
  NonFiniteState(const Scenario& scenario, const StateLayout& layout)
      : scenario_(scenario), layout_(layout) {}
  bool handle(const AcceptedStep& step, Control& control) override;

private:
  const Scenario& scenario_;
  const StateLayout& layout_;
};

//! A Kessler cascade: the run stops where debris first reaches D_max
//! (bisection on the dense output; debris is continuous within a step).
class KesslerStop final : public Event {
public:
  KesslerStop(double threshold, std::size_t debris_index) : threshold_(threshold), debris_(debris_index) {}
  bool handle(const AcceptedStep& step, Control& control) override;

private:
  double threshold_;
  std::size_t debris_;
};

//! Who sees the entry bookkeeping: the benchmark's census of the switches a
//! run gets past (dynamics/probe.hpp). Production runs have none.
class EntryObserver {
public:
  virtual ~EntryObserver() = default;
  //! The workspace at the segment's start (after the entries at it).
  virtual void segment_started(const Workspace& at_start) = 0;
  //! The kept part of a step ended with the plants' Q − 1 `gaps_end`
  //! (`gaps_start` at its start, `entered` before this step's entries);
  //! `at_end` is the workspace there, or nullptr when the step was cut at an
  //! entry (whose launch providers are not those of a kept step's end).
  virtual void kept_step(const std::vector<double>& gaps_start, const std::vector<double>& gaps_end,
                         const std::vector<std::int8_t>& entered, const Workspace* at_end) = 0;
};

//! Entry of a plant (docs/model.md, "Entry"). A plant with capacity or a
//! pipeline has entered; one at K = U = 0 enters when its Tobin's q (with
//! u = 1) rises above 1. Out of the money its investment jumps there: the
//! entry is located on the dense output (regula falsi) and the integration
//! restarts there with the plant entered. In the money it enters
//! continuously: it is marked entered at the end of the step in which it left
//! K = U = 0, and the integration restarts there (its derivative changes form).
class PlantEntry final : public Event {
public:
  //! `entered` (per plant i * M + k) carries across segments; `systems` are
  //! the segment's systems whose entry states follow it; `evaluate_at(x, t)`
  //! evaluates the locating system and returns its workspace.
  PlantEntry(const Scenario& scenario, const StateLayout& layout, std::vector<std::int8_t>& entered,
             std::vector<ArcmSystem*> systems, const EvaluateAt& evaluate_at,
             EntryObserver* observer = nullptr);

  //! At the segment's start, in state `x`: marks the plants that have entered
  //! (all of them at the run's start, from K and U), then those that invest
  //! from the start, and records the output at the segment's start through
  //! `record_start(entry states as written)`. Returns whether this is the
  //! run's start.
  bool start_segment(const StateVector& x, double t,
                     const std::function<void(const std::vector<std::int8_t>&)>& record_start);

  bool handle(const AcceptedStep& step, Control& control) override;

private:
  bool at_origin(const StateVector& x, std::size_t plant) const;
  void set_entered();

  const Scenario& scenario_;
  const StateLayout& layout_;
  std::vector<std::int8_t>& entered_;
  std::vector<ArcmSystem*> systems_;
  const EvaluateAt& evaluate_at_;
  EntryObserver* observer_;
  std::vector<double> gaps_before_; // Q − 1 of every plant at the last kept step's end
};

//! A launch provider's change located by the step attempts (its dX/dt jumps,
//! dynamics/switch_location.hpp): the step that ended just before it is
//! followed by a restart just after it.
template <class Retry> class ProviderJump final : public Event {
public:
  ProviderJump(Retry& retry, const Segment& segment) : retry_(retry), segment_(segment) {}
  void step_accepted(const AcceptedStep&) override { jump_ = retry_.take_jump(); }
  bool handle(const AcceptedStep& step, Control& control) override {
    // It follows the step's end within the location's precision, or there is none.
    const bool follows = jump_ > step.t_now && jump_ - step.t_now <= 2.0 * Retry::JUMP_TOLERANCE *
                                                                         std::max(1.0, std::fabs(step.t_now));
    if (!follows || segment_.end - jump_ <= SAME_TIME) return false;
    // Restart just after the jump, from the step's dense output (continued
    // by less than Retry::JUMP_TOLERANCE of the time).
    control.record_outputs_before(jump_);
    StateVector x;
    control.restart_state(jump_, x);
    control.restart(x, jump_);
    return true;
  }

private:
  Retry& retry_;
  const Segment& segment_;
  double jump_{0};
};

//! A run over its wall-clock budget (a sweep's run_time_limit) stops at the
//! end of the step in which it ran out, unless that is the segment's end.
class WallTimeLimit final : public Event {
public:
  //! `seconds` of wall time from `started`; 0: no limit.
  WallTimeLimit(double seconds, std::chrono::steady_clock::time_point started, const Segment& segment)
      : seconds_(seconds), started_(started), segment_(segment) {}
  bool handle(const AcceptedStep& step, Control& control) override;

private:
  double seconds_;
  std::chrono::steady_clock::time_point started_;
  const Segment& segment_;
};

//! integrator.max_steps accepted steps: the run fails at the end of the last.
class StepCountLimit final : public Event {
public:
  StepCountLimit(long max_steps, const long& accepted, const Segment& segment,
                 std::function<double()> current_step)
      : max_steps_(max_steps), accepted_(accepted), segment_(segment),
        current_step_(std::move(current_step)) {}
  bool handle(const AcceptedStep& step, Control& control) override;

private:
  long max_steps_;
  const long& accepted_;
  const Segment& segment_;
  std::function<double()> current_step_;
};

//! The next schedule time (docs/model.md §3.11): no step crosses it; there
//! the segment and its parameters end.
class ScheduleTime final : public Event {
public:
  explicit ScheduleTime(double end) : end_(end) {}
  std::optional<double> limit_step(double t, double proposed) const override {
    if (t + proposed > end_) return end_ - t; // the last step ends on it
    return std::nullopt;
  }
  bool handle(const AcceptedStep&, Control&) override { return false; }
  //! Whether `t` is the schedule time (within SAME_TIME).
  bool reached(double t) const { return end_ - t <= SAME_TIME; }
  double time() const { return end_; }

private:
  double end_;
};

//! The first index of a non-finite component of x, or x.size().
std::size_t first_non_finite(const StateVector& x);

//! `t` with ten significant digits, for messages.
std::string format_time(double t);

} // namespace arcm
