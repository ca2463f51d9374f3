#include "dynamics/integrate.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <boost/numeric/odeint.hpp>

#include "core/errors.hpp"
#include "core/schedule.hpp"
#include "core/state.hpp"
#include "dynamics/events.hpp"
#include "dynamics/foresight.hpp"
#include "dynamics/output_check.hpp"
#include "dynamics/outputs.hpp"
#include "dynamics/probe.hpp"
#include "dynamics/step_control.hpp"
#include "dynamics/switch_location.hpp"
#include "dynamics/system.hpp"

namespace arcm {

namespace odeint = boost::numeric::odeint;

namespace {

// The steppers a scenario (or a sweep's --retry-failed) may choose. Both have
// dense output and the same interface, so one segment loop serves both.
using BulirschStoer = odeint::bulirsch_stoer_dense_out<StateVector>;
using Dopri5 = RetryingDopri5<WeightedErrorChecker>;

template <class Stepper>
Stepper make_stepper(const IntegratorSettings& settings, RunProbe* probe, std::size_t* worst_component);
// A probed run's checker also records its rejected steps; simulate() passes no probe.
template <>
Dopri5 make_stepper<Dopri5>(const IntegratorSettings& settings, RunProbe* probe,
                            std::size_t* worst_component) {
  return Dopri5(Dopri5::Controlled(
      WeightedErrorChecker(settings.absolute_tolerance, settings.relative_tolerance, worst_component, probe),
      KinkStepAdjuster()));
}
template <>
BulirschStoer make_stepper<BulirschStoer>(const IntegratorSettings& settings, RunProbe*, std::size_t*) {
  return BulirschStoer(settings.absolute_tolerance, settings.relative_tolerance, 1.0, 1.0);
}

// ---- Meters: how a run is measured -------------------------------------------
//
// simulate() runs with Unmetered, whose every method is the call itself; the
// benchmark's simulate_probed() with Metered, which times the parts of a run,
// records the states the stepper evaluated and counts what the steps got
// past (dynamics/probe.hpp). Neither changes what is computed.

struct Unmetered {
  void evaluate(const ArcmSystem& system, const StateVector& x, StateVector& dxdt, double t, std::size_t) {
    system(x, dxdt, t);
  }
  void stepper_call(double) {}
  template <class Step> auto stepping(Step&& step) { return step(); }
  template <class Record> void recording(Record&& record) { record(); }
  RunProbe* probe() { return nullptr; }
  EntryObserver* census() { return nullptr; }
  template <class Retry> void segment_ended(const Retry&) {}
  void run_ended(long) {}
};

// The census of the switches a run gets past, counted at the ends of the
// parts of steps that are kept.
class Census final : public EntryObserver {
public:
  explicit Census(RunProbe& probe) : probe_(probe) {}
  void segment_started(const Workspace& at_start) override { providers_ = at_start.launch_provider; }
  void kept_step(const std::vector<double>& gaps_start, const std::vector<double>& gaps_end,
                 const std::vector<std::int8_t>& entered, const Workspace* at_end) override {
    for (std::size_t ik = 0; ik < entered.size(); ++ik)
      probe_.investment_switches += entered[ik] && (gaps_start[ik] > 0.0) != (gaps_end[ik] > 0.0);
    // A provider change within a step cut at an entry counts at the next kept step's end.
    if (at_end == nullptr) return;
    for (std::size_t b = 0; b < providers_.size(); ++b)
      probe_.provider_changes += providers_[b] != at_end->launch_provider[b];
    providers_ = at_end->launch_provider;
  }

private:
  RunProbe& probe_;
  std::vector<int> providers_; // at the last kept step's end
};

class Metered {
public:
  explicit Metered(RunProbe& probe) : probe_(probe), census_(probe) {}
  // One RHS evaluation, timed as RHS work, its state recorded for the
  // bench's tight-loop replay.
  void evaluate(const ArcmSystem& system, const StateVector& x, StateVector& dxdt, double t,
                std::size_t segment) {
    if (probe_.record_states) {
      probe_.call_segment.push_back(segment);
      probe_.call_time.push_back(t);
      probe_.states.insert(probe_.states.end(), x.begin(), x.end());
      probe_.state_size = x.size();
    }
    const std::uint64_t started = probe_ticks();
    system.evaluate_probed(x, dxdt, t, probe_);
    probe_.rhs += probe_ticks() - started;
    ++probe_.rhs_calls;
  }
  // The stepper's error checker dates a rejected step from its last call.
  void stepper_call(double t) { probe_.last_call_time = t; }
  template <class Step> auto stepping(Step&& step) {
    const std::uint64_t started = probe_ticks();
    auto result = step();
    probe_.stepping += probe_ticks() - started;
    return result;
  }
  template <class Record> void recording(Record&& record) {
    const std::uint64_t started = probe_ticks();
    record();
    probe_.observer += probe_ticks() - started;
  }
  RunProbe* probe() { return &probe_; }
  EntryObserver* census() { return &census_; }
  template <class Retry> void segment_ended(const Retry& retry) {
    probe_.located_switches += retry.located;
    probe_.predicted_switches += retry.predicted_steps;
    probe_.failed_predictions += retry.failed_predictions;
  }
  void run_ended(long entries_after_start) { probe_.entries = entries_after_start; }

private:
  RunProbe& probe_;
  Census census_;
};

// ---- The run and its segments --------------------------------------------------

// What the segments of one run share: the scenario, the output buffers, the
// entry states of the plants and the counters.
template <class Meter> struct RunState {
  RunState(const Scenario& s, Meter m, const ExpectedPath* expected_path,
           std::chrono::steady_clock::time_point start_time)
      : scenario(s), layout(s.n_actors(), s.n_resources(), s.n_beneficiaries()), segments(build_segments(s)),
        recorder(s, layout), grid(recorder.times()), expected(expected_path),
        switch_causes(arcm::switch_causes(layout)), started(start_time), meter(std::move(m)) {}

  // Every output time not yet recorded up to `t_until` (inclusive or not),
  // the state from `state_at(t, out)`, with `recording`'s parameters.
  template <class StateAt>
  void record_outputs_up_to(double t_until, bool inclusive, const StateAt& state_at,
                            const ArcmSystem& recording) {
    meter.recording([&] {
      while (next_output < grid.size()) {
        const double t_out = grid[next_output];
        const bool due = inclusive ? t_out <= t_until + SAME_TIME : t_out < t_until - SAME_TIME;
        if (!due) break;
        state_at(t_out, scratch);
        recorder.record(next_output, t_out, scratch, recording);
        ++next_output;
      }
    });
  }

  const Scenario& scenario;
  StateLayout layout;
  std::vector<Segment> segments;
  TrajectoryRecorder recorder;
  const std::vector<double>& grid;
  const ExpectedPath* expected; // perfect foresight (docs/model.md §3.15); nullptr: myopic
  RunReference reference;
  std::size_t next_output{0};
  std::size_t segment_index{0};
  long rhs_evaluations{0};   // the stepper's
  long event_evaluations{0}; // those that locate entries and switches
  long rejected_steps{0};    // failed dopri5 attempts, counted by the stepper
  long accepted_steps{0};
  long entered_at_start{0};               // plants entered once the run's start is settled (the census)
  std::vector<std::int8_t> entered;       // per plant (i * M + k); see "Entry" in docs/model.md
  std::size_t worst_component{0};         // of the last step attempt (WeightedErrorChecker)
  std::vector<SwitchCause> switch_causes; // per state component (dynamics/switch_location.hpp)
  RunStatus status{RunStatus::ok};
  std::string message;
  double stop_time{0};
  StateVector scratch;
  std::chrono::steady_clock::time_point started; // the wall-time limit counts from here
  Meter meter;
};

// The switch location and prediction of dynamics/switch_location.hpp as an
// event: it acts within the step attempts, as the stepper's retry policy;
// after a restart its prediction history no longer applies.
template <class Retry> class InvestmentSwitches final : public Event {
public:
  explicit InvestmentSwitches(Retry& retry) : retry_(retry) {}
  bool handle(const AcceptedStep&, Control&) override { return false; }
  void restarted() override { retry_.restart(); }

private:
  Retry& retry_;
};

// One schedule segment integrated with `Stepper`: its systems, its stepper
// and its events. The step loop is run(); the events act on it through the
// Control interface.
template <class Meter, class Stepper> class SegmentIntegration final : public Control {
public:
  using Retry = SwitchRetry<EvaluateAt>;

  SegmentIntegration(RunState<Meter>& run, const Segment& segment, bool last)
      : run_(run), segment_(segment), last_(last), settings_(run.scenario.integrator),
        system_(run.scenario, run.layout, segment.in_force, run.reference, run.expected),
        // Outputs are evaluated on a copy, so recording never touches the
        // state (the warm-started price) of the system the stepper
        // integrates; events are located on another.
        recording_(system_), locating_(system_),
        stepper_(make_stepper<Stepper>(settings_, run.meter.probe(), &run.worst_component)),
        scratch_derivative_(run.layout.size()),
        evaluate_at_([this](const StateVector& state, double t) -> const Workspace& {
          ++run_.event_evaluations;
          run_.meter.evaluate(locating_, state, scratch_derivative_, t, run_.segment_index);
          return locating_.workspace();
        }),
        retry_(system_.workspace(), evaluate_at_, run.switch_causes, run.worst_component, run.layout.size(),
               settings_.locate_switches, settings_.predict_switches ? &run.entered : nullptr),
        switches_(retry_), entry_(run.scenario, run.layout, run.entered, {&system_, &recording_, &locating_},
                                  evaluate_at_, run.meter.census()),
        non_finite_(run.scenario, run.layout),
        kessler_(run.scenario.debris.kessler_threshold, run.layout.debris()), jump_(retry_, segment),
        wall_time_(settings_.wall_time_limit, run.started, segment),
        step_count_(settings_.max_steps, run.accepted_steps, segment,
                    [this] { return stepper_.current_time_step(); }),
        schedule_(segment.end) {}

  ~SegmentIntegration() override {
    // The stepper's failed attempts count however the segment ends.
    if constexpr (!std::is_same_v<Stepper, BulirschStoer>) run_.rejected_steps += stepper_.failed_attempts();
    run_.meter.segment_ended(retry_);
  }
  SegmentIntegration(const SegmentIntegration&) = delete;
  SegmentIntegration& operator=(const SegmentIntegration&) = delete;

  //! Integrates from `x` at the segment's start to its end; `x` is the
  //! state there. False when the run stopped (Kessler, a failure, a limit).
  bool run(StateVector& x) {
    const bool run_start =
        entry_.start_segment(x, segment_.start, [&](const std::vector<std::int8_t>& as_written) {
          recording_.set_entered(as_written);
          const StateVector at_start = x;
          run_.record_outputs_up_to(
              segment_.start, true, [&](double, StateVector& out) { out = at_start; }, recording_);
        });
    // The census counts the entries after the run's start.
    if (run_start) run_.entered_at_start = std::count(run_.entered.begin(), run_.entered.end(), 1);

    t_ = segment_.start;
    stepper_.initialize(x, segment_.start, std::min(settings_.initial_step, segment_.end - segment_.start));
    while (!schedule_.reached(t_)) {
      if (const std::optional<double> limited = schedule_.limit_step(t_, stepper_.current_time_step()))
        stepper_.initialize(stepper_.current_state(), t_, *limited);
      std::pair<double, double> step;
      try {
        step = run_.meter.stepping([&] { return do_step(); });
      } catch (const std::exception& e) {
        stop(t_, RunStatus::failed, std::string("the integrator gave up: ") + e.what(),
             StateVector(stepper_.current_state()));
        return false;
      }
      ++run_.accepted_steps;
      const StateVector& now = stepper_.current_state();
      const DenseOutput dense(stepper_, now, step.second);
      const AcceptedStep accepted{
          step.first,  step.second, stepper_.previous_state(),
          now,         dense,       std::is_same_v<Stepper, BulirschStoer> ? nullptr : &system_.workspace(),
          evaluate_at_};
      accepted_ = &accepted;
      for (Event* event : all_events()) event->step_accepted(accepted);
      if (handled_by(within_step_events(), accepted)) {
        if (stopped_) return false;
        continue; // restarted at the event
      }
      record_outputs_to_step_end();
      t_ = step.second;
      if (handled_by(limit_events(), accepted)) return false;
    }
    x = stepper_.current_state();
    if (last_)
      run_.record_outputs_up_to(
          segment_.end, true, [&](double, StateVector& out) { out = x; }, recording_);
    return true;
  }

  // ---- Control ----
  void record_outputs_before(double t) override {
    run_.record_outputs_up_to(t, false, dense_at(), recording_);
  }
  void record_outputs_to_step_end() override {
    run_.record_outputs_up_to(accepted_->t_now, last_ && segment_.end - accepted_->t_now <= SAME_TIME,
                              dense_at(), recording_);
  }
  void restart_state(double t, StateVector& x) override {
    x.resize(run_.layout.size());
    accepted_->dense(t, x);
    // The dense output may dip a rounding error below 0 where a quantity
    // starts from 0 (a plant's first extraction); the states that cannot be
    // negative are clamped as the right-hand side reads them (docs/model.md
    // §2), so none stays negative after the restart.
    const std::size_t n = run_.scenario.n_actors(), m = run_.scenario.n_resources();
    const StateLayout& layout = run_.layout;
    for (std::size_t i = 0; i < n; ++i) {
      x[layout.experience(i)] = std::max(x[layout.experience(i)], 0.0);
      for (std::size_t k = 0; k < m; ++k)
        for (std::size_t index : {layout.capacity(i, k), layout.pipeline(i, k), layout.extracted(i, k)})
          x[index] = std::max(x[index], 0.0);
    }
    for (std::size_t k = 0; k < m; ++k) x[layout.stock(k)] = std::max(x[layout.stock(k)], 0.0);
    x[layout.debris()] = std::max(x[layout.debris()], 0.0);
  }
  void restart(const StateVector& x, double t) override {
    // A fresh derivative at `t`, the step size carried on.
    stepper_.initialize(x, t, stepper_.current_time_step());
    for (Event* event : all_events()) event->restarted();
    t_ = t;
  }
  void stop(double t, RunStatus status, const std::string& why, const StateVector& x) override {
    run_.status = status;
    run_.message = status == RunStatus::failed ? "at t = " + format_time(t) + ": " + why : why;
    run_.stop_time = t;
    // "Final" values of a run that stopped are those at the stop time (docs/model.md §3.13).
    if (first_non_finite(x) == x.size()) run_.recorder.record_final(t, x, recording_);
    stopped_ = true;
  }

private:
  // The stepped system as odeint calls it: counted, and metered.
  struct SteppedSystem {
    SegmentIntegration* self;
    void operator()(const StateVector& x, StateVector& dxdt, double t) const {
      ++self->run_.rhs_evaluations;
      self->run_.meter.stepper_call(t);
      self->run_.meter.evaluate(self->system_, x, dxdt, t, self->run_.segment_index);
    }
  };

  std::pair<double, double> do_step() {
    if constexpr (std::is_same_v<Stepper, BulirschStoer>)
      return stepper_.do_step(SteppedSystem{this});
    else
      return stepper_.do_step(SteppedSystem{this}, retry_);
  }

  auto dense_at() const {
    return [this](double t, StateVector& out) { accepted_->dense(t, out); };
  }

  // The events in the order they are asked: those found within a step (the
  // first that happened takes over), then the limits at a step's end.
  std::array<Event*, 4> within_step_events() { return {&non_finite_, &kessler_, &entry_, &jump_}; }
  std::array<Event*, 2> limit_events() { return {&wall_time_, &step_count_}; }
  std::array<Event*, 8> all_events() {
    return {&switches_, &non_finite_, &kessler_, &entry_, &jump_, &wall_time_, &step_count_, &schedule_};
  }
  template <class Events> bool handled_by(const Events& events, const AcceptedStep& step) {
    for (Event* event : events)
      if (event->handle(step, *this)) return true;
    return false;
  }

  RunState<Meter>& run_;
  const Segment& segment_;
  bool last_;
  const IntegratorSettings& settings_;
  ArcmSystem system_, recording_, locating_;
  Stepper stepper_;
  StateVector scratch_derivative_;
  EvaluateAt evaluate_at_;
  Retry retry_;
  InvestmentSwitches<Retry> switches_;
  PlantEntry entry_;
  NonFiniteState non_finite_;
  KesslerStop kessler_;
  ProviderJump<Retry> jump_;
  WallTimeLimit wall_time_;
  StepCountLimit step_count_;
  ScheduleTime schedule_;
  double t_{0};
  const AcceptedStep* accepted_{nullptr};
  bool stopped_{false};
};

template <class Meter>
RunResults integrate_run(const Scenario& scenario, Meter meter, const ExpectedPath* expected,
                         std::chrono::steady_clock::time_point started) {
  RunState<Meter> run(scenario, std::move(meter), expected, started);
  StateVector x = initial_state(scenario, run.layout);
  run.scratch.assign(run.layout.size(), 0.0);
  run.reference = make_run_reference(scenario, run.segments.front().in_force, x, run.layout);
  run.stop_time = scenario.end_year;
  const bool dopri5 = scenario.integrator.stepper != Stepper::bulirsch_stoer;
  for (std::size_t s = 0; s < run.segments.size(); ++s) {
    const bool last = s + 1 == run.segments.size();
    run.segment_index = s;
    const bool going_on = dopri5
                              ? SegmentIntegration<Meter, Dopri5>(run, run.segments[s], last).run(x)
                              : SegmentIntegration<Meter, BulirschStoer>(run, run.segments[s], last).run(x);
    if (!going_on) break;
  }
  run.meter.run_ended(std::count(run.entered.begin(), run.entered.end(), 1) - run.entered_at_start);
  RunResults results;
  run.recorder.finish(results, run.stop_time);
  results.status = run.status;
  results.message = run.message;
  fail_on_non_finite_outputs(results);
  results.rhs_evaluations = run.rhs_evaluations + run.event_evaluations;
  results.accepted_steps = run.accepted_steps;
  // Bulirsch-Stoer varies its order and does not count its rejections: -1 = unknown.
  results.rejected_steps = dopri5 ? run.rejected_steps : -1;
  results.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - run.started).count();
  return results;
}

} // namespace

RunResults simulate(const Scenario& scenario) {
  const auto now = std::chrono::steady_clock::now();
  if (scenario.economy.expectations == Expectations::myopic)
    return integrate_run(scenario, Unmetered{}, nullptr, now);
  return solve_perfect_foresight(scenario, [](const Scenario& s, const ExpectedPath* expected,
                                              std::chrono::steady_clock::time_point started) {
    return integrate_run(s, Unmetered{}, expected, started);
  });
}

std::uint64_t probe_ticks() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
#endif
}

RunResults simulate_probed(const Scenario& scenario, RunProbe& probe) {
  const std::uint64_t ticks_at_start = probe_ticks();
  RunResults results;
  if (scenario.economy.expectations == Expectations::myopic)
    results = integrate_run(scenario, Metered(probe), nullptr, std::chrono::steady_clock::now());
  else
    results = solve_perfect_foresight(scenario, [&probe](const Scenario& s, const ExpectedPath* expected,
                                                         std::chrono::steady_clock::time_point started) {
      return integrate_run(s, Metered(probe), expected, started);
    });
  probe.total += probe_ticks() - ticks_at_start;
  return results;
}

RunResults blank_results(const Scenario& scenario) {
  const StateLayout layout(scenario.n_actors(), scenario.n_resources(), scenario.n_beneficiaries());
  TrajectoryRecorder recorder(scenario, layout);
  RunResults results;
  recorder.finish(results, std::numeric_limits<double>::quiet_NaN());
  results.status = RunStatus::not_run;
  return results;
}

} // namespace arcm
