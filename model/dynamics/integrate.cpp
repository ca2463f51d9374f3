#include "dynamics/integrate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <boost/numeric/odeint.hpp>

#include "core/errors.hpp"
#include "core/schedule.hpp"
#include "core/state.hpp"
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

// Calls `action` when it goes out of scope, on every way out of a block.
template <class Action> class OnExit {
public:
  explicit OnExit(Action action) : action_(std::move(action)) {}
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;
  ~OnExit() { action_(); }

private:
  Action action_;
};

// Two times closer than this (in years) are the same instant: output years,
// event years and step ends are all sums of a few decimal numbers.
constexpr double SAME_TIME = 1e-9;

std::string format_time(double t) {
  std::ostringstream s;
  s.precision(10);
  s << t;
  return s.str();
}

// The first non-finite component of x, or size() when all are finite.
std::size_t first_non_finite(const StateVector& x) {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i])) return i;
  return x.size();
}

// The earliest time in (t_lo, t_hi] at which the Q − 1 of a plant not yet
// entered crosses 0 (docs/model.md, "Entry"): regula falsi on the plant that
// the linear estimate puts first, on states from the step's dense output,
// with a bisection whenever one end of the bracket has stayed put twice.
// `gaps_lo` are all ≤ 0 for those plants; at the returned time at least one
// is > 0. Plants marked in `ignored` (entered, or entering continuously) are
// skipped.
template <class Dense, class Gaps>
double locate_entry(double t_lo, double t_hi, std::vector<double> gaps_lo, std::vector<double> gaps_hi,
                    const std::vector<std::int8_t>& ignored, std::size_t state_size, const Dense& dense,
                    const Gaps& entry_gaps_at, std::vector<double>& gaps_at_result) {
  StateVector state(state_size);
  int kept_lo = 0, kept_hi = 0;
  for (int iteration = 0; iteration < 40 && t_hi - t_lo > 1e-9 * std::max(1.0, std::fabs(t_hi));
       ++iteration) {
    double t_next = t_hi;
    for (std::size_t ik = 0; ik < gaps_hi.size(); ++ik)
      if (!ignored[ik] && gaps_lo[ik] <= 0.0 && gaps_hi[ik] > 0.0)
        t_next = std::min(t_next, t_lo + (t_hi - t_lo) * (-gaps_lo[ik] / (gaps_hi[ik] - gaps_lo[ik])));
    if (kept_lo >= 2 || kept_hi >= 2 || !(t_next > t_lo && t_next < t_hi)) {
      t_next = 0.5 * (t_lo + t_hi);
      kept_lo = kept_hi = 0;
    }
    dense(t_next, state);
    const std::vector<double>& gaps = entry_gaps_at(state, t_next);
    bool crossed = false;
    for (std::size_t ik = 0; ik < gaps.size(); ++ik) crossed = crossed || (!ignored[ik] && gaps[ik] > 0.0);
    if (crossed) {
      t_hi = t_next;
      gaps_hi = gaps;
      ++kept_lo;
      kept_hi = 0;
    } else {
      t_lo = t_next;
      gaps_lo = gaps;
      ++kept_hi;
      kept_lo = 0;
    }
  }
  gaps_at_result = gaps_hi;
  return t_hi;
}

// Integrates one run; holds what the segments share. With Probed, it also
// fills a RunProbe (simulate_probed); simulate() uses the unprobed instance.
template <bool Probed> class RunIntegrator {
public:
  explicit RunIntegrator(const Scenario& scenario, RunProbe* probe = nullptr)
      : probe_(probe), scenario_(scenario),
        layout_(scenario.n_actors(), scenario.n_resources(), scenario.n_beneficiaries()),
        segments_(build_segments(scenario)), recorder_(scenario, layout_), grid_(recorder_.times()),
        switch_causes_(switch_causes(layout_)) {}

  RunResults run();

private:
  // Integrate one segment; returns false when the run stopped (Kessler or failure).
  template <class Stepper> bool integrate_segment(const Segment& segment, bool last, StateVector& x);
  void record_outputs_up_to(double t_until, bool inclusive,
                            const std::function<void(double, StateVector&)>& state_at,
                            const ArcmSystem& recording_system);
  void fail(double t, const std::string& why);

  RunProbe* probe_;
  std::size_t segment_index_{0};
  const Scenario& scenario_;
  StateLayout layout_;
  std::vector<Segment> segments_;
  TrajectoryRecorder recorder_;
  const std::vector<double>& grid_;
  RunReference reference_;
  std::size_t next_output_{0};
  long rhs_evaluations_{0};
  long event_evaluations_{0}; // RHS evaluations that locate entries and switches (not the stepper's)
  long rejected_steps_{0};    // failed dopri5 attempts, counted by the stepper
  long entered_at_start_{0};  // plants entered once the run's start is settled (the census)
  std::vector<std::int8_t>
      entered_; // per plant (i * M + k), carried across segments; see "Entry" in docs/model.md
  long accepted_steps_{0};
  std::size_t worst_component_{0};         // of the last step attempt (WeightedErrorChecker)
  std::vector<SwitchCause> switch_causes_; // per state component (dynamics/switch_location.hpp)
  RunStatus status_{RunStatus::ok};
  std::string message_;
  double stop_time_{0};
  StateVector scratch_;
  std::chrono::steady_clock::time_point started_{std::chrono::steady_clock::now()};
};

template <bool Probed> void RunIntegrator<Probed>::fail(double t, const std::string& why) {
  status_ = RunStatus::failed;
  message_ = "at t = " + format_time(t) + ": " + why;
  stop_time_ = t;
}

template <bool Probed>
void RunIntegrator<Probed>::record_outputs_up_to(double t_until, bool inclusive,
                                                 const std::function<void(double, StateVector&)>& state_at,
                                                 const ArcmSystem& recording_system) {
  [[maybe_unused]] std::uint64_t started = 0;
  if constexpr (Probed) started = probe_ticks();
  while (next_output_ < grid_.size()) {
    const double t_out = grid_[next_output_];
    const bool due = inclusive ? t_out <= t_until + SAME_TIME : t_out < t_until - SAME_TIME;
    if (!due) break;
    state_at(t_out, scratch_);
    recorder_.record(next_output_, t_out, scratch_, recording_system);
    ++next_output_;
  }
  if constexpr (Probed) probe_->observer += probe_ticks() - started;
}

template <bool Probed>
template <class Stepper>
bool RunIntegrator<Probed>::integrate_segment(const Segment& segment, bool last, StateVector& x) {
  const IntegratorSettings& settings = scenario_.integrator;
  ArcmSystem system(scenario_, layout_, segment.in_force, reference_);
  // Outputs are evaluated on a copy, so recording never touches the state
  // (the warm-started price) of the system the stepper integrates; entries
  // are located on another.
  ArcmSystem recording_system = system;
  ArcmSystem locating_system = system;
  Stepper stepper = make_stepper<Stepper>(settings, probe_, &worst_component_);
  // The stepper's failed attempts count however the segment ends.
  const OnExit count_rejections{[&] {
    if constexpr (!std::is_same_v<Stepper, BulirschStoer>) rejected_steps_ += stepper.failed_attempts();
  }};
  const std::size_t plants = scenario_.n_actors() * scenario_.n_resources();
  StateVector scratch_derivative(layout_.size());
  // One RHS evaluation on `which`. A probed run times it as RHS work and
  // records its state for the bench's tight-loop replay.
  auto evaluate_on = [&](const ArcmSystem& which, const StateVector& state, StateVector& derivative,
                         double t) {
    if constexpr (Probed) {
      if (probe_->record_states) {
        probe_->call_segment.push_back(segment_index_);
        probe_->call_time.push_back(t);
        probe_->states.insert(probe_->states.end(), state.begin(), state.end());
        probe_->state_size = state.size();
      }
      const std::uint64_t started = probe_ticks();
      which.evaluate_probed(state, derivative, t, *probe_);
      probe_->rhs += probe_ticks() - started;
      ++probe_->rhs_calls;
    } else {
      which(state, derivative, t);
    }
  };
  // An evaluation that locates an event (an entry, a switch), on the
  // system's own copy.
  auto locating_evaluation = [&](const StateVector& state, double t) -> const Workspace& {
    ++event_evaluations_;
    evaluate_on(locating_system, state, scratch_derivative, t);
    return locating_system.workspace();
  };
  // Q − 1 of every plant at (state, t) under the current entry states.
  auto entry_gaps_at = [&](const StateVector& state, double t) -> const std::vector<double>& {
    return locating_evaluation(state, t).entry_gap;
  };
  auto set_entered = [&]() {
    system.set_entered(entered_);
    recording_system.set_entered(entered_);
    locating_system.set_entered(entered_);
  };
  // The restart state at an entry comes from the dense output, which may dip
  // a rounding error below 0 where a quantity starts from 0 (a plant's first
  // extraction); the states that cannot be negative are clamped as the RHS
  // reads them (MODEL.md §2), so none stays negative after the restart.
  auto clamp_nonnegative = [&](StateVector& state) {
    const std::size_t n = scenario_.n_actors(), m = scenario_.n_resources();
    for (std::size_t i = 0; i < n; ++i) {
      state[layout_.experience(i)] = std::max(state[layout_.experience(i)], 0.0);
      for (std::size_t k = 0; k < m; ++k)
        for (std::size_t index : {layout_.capacity(i, k), layout_.pipeline(i, k), layout_.extracted(i, k)})
          state[index] = std::max(state[index], 0.0);
    }
    for (std::size_t k = 0; k < m; ++k) state[layout_.stock(k)] = std::max(state[layout_.stock(k)], 0.0);
    state[layout_.debris()] = std::max(state[layout_.debris()], 0.0);
  };
  auto at_origin = [&](const StateVector& state, std::size_t ik) {
    const std::size_t i = ik / scenario_.n_resources(), k = ik % scenario_.n_resources();
    return !(state[layout_.capacity(i, k)] > 0.0) && !(state[layout_.pipeline(i, k)] > 0.0);
  };
  auto counted_system = [&](const StateVector& state, StateVector& derivative, double t) {
    ++rhs_evaluations_;
    if constexpr (Probed) probe_->last_call_time = t;
    evaluate_on(system, state, derivative, t);
  };

  // Entry (docs/model.md): a plant with capacity or a pipeline has entered; one
  // at K = U = 0 enters when its Tobin's q (with u = 1) rises above 1, which
  // is located below as an event. At the run's start the output takes
  // MODEL.md §7 as written (u = 1 where K = 0), so the first plants' t0
  // investment is the rule's.
  const bool run_start = entered_.empty();
  if (run_start) {
    entered_.assign(plants, 0);
    for (std::size_t ik = 0; ik < plants; ++ik) entered_[ik] = !at_origin(x, ik);
  }
  set_entered();
  // Plants that invest from the start enter now. The gaps of plants not
  // entered do not depend on the entry states of others.
  std::vector<double> gaps_before = entry_gaps_at(x, segment.start);
  // The launch providers at the last kept step's end, for the bench's census.
  [[maybe_unused]] std::vector<int> providers_before;
  if constexpr (Probed) providers_before = locating_system.workspace().launch_provider;
  const std::vector<std::int8_t> entered_before_start = entered_;
  for (std::size_t ik = 0; ik < plants; ++ik)
    if (!entered_[ik] && gaps_before[ik] > 0.0) entered_[ik] = 1;
  // The census counts the entries after the run's start.
  if (run_start) entered_at_start_ = std::count(entered_.begin(), entered_.end(), 1);

  // An output exactly at the segment start takes the state at the start,
  // with the parameters of this segment (right-continuous outputs). A plant
  // that has not entered sits at K = 0 there, where it takes the rule as
  // written (u = 1); at the run's start every plant does.
  const StateVector at_start = x;
  std::vector<std::int8_t> as_written(entered_before_start);
  for (std::size_t ik = 0; ik < plants; ++ik)
    if (run_start || !as_written[ik]) as_written[ik] = -1;
  recording_system.set_entered(as_written);
  record_outputs_up_to(
      segment.start, true, [&](double, StateVector& out) { out = at_start; }, recording_system);
  set_entered();

  // A failed step retried up to the investment switch or provider change
  // that failed it, and steps shortened to predicted investment switches
  // (dynamics/switch_location.hpp).
  SwitchRetry switch_retry(system.workspace(), locating_evaluation, switch_causes_, worst_component_,
                           layout_.size(), settings.locate_switches,
                           settings.predict_switches ? &entered_ : nullptr);
  const OnExit count_located{[&] {
    if constexpr (Probed) {
      probe_->located_switches += switch_retry.located;
      probe_->predicted_switches += switch_retry.predicted_steps;
      probe_->failed_predictions += switch_retry.failed_predictions;
    }
  }};
  // A restart (an entry, a located jump) within the segment: a fresh
  // derivative at `at`, the step size carried on, and a prediction history
  // that no longer applies.
  auto restart_at = [&](const StateVector& from, double at) {
    stepper.initialize(from, at, stepper.current_time_step());
    switch_retry.restart();
  };
  const double span = segment.end - segment.start;
  stepper.initialize(x, segment.start, std::min(settings.initial_step, span));
  double t = segment.start;
  const double kessler = scenario_.debris.kessler_threshold;
  while (segment.end - t > SAME_TIME) {
    // No step crosses the segment end: shorten the last one onto it.
    if (t + stepper.current_time_step() > segment.end) {
      stepper.initialize(stepper.current_state(), t, segment.end - t);
    }
    std::pair<double, double> step;
    try {
      [[maybe_unused]] std::uint64_t started = 0;
      if constexpr (Probed) started = probe_ticks();
      if constexpr (std::is_same_v<Stepper, BulirschStoer>)
        step = stepper.do_step(std::ref(counted_system));
      else
        step = stepper.do_step(std::ref(counted_system), switch_retry);
      if constexpr (Probed) probe_->stepping += probe_ticks() - started;
    } catch (const std::exception& e) {
      fail(t, std::string("the integrator gave up: ") + e.what());
      x = stepper.current_state();
      // "Final" values of a failed run are those at the stop time (MODEL.md §11).
      if (first_non_finite(x) == x.size()) recorder_.record_final(t, x, recording_system);
      return false;
    }
    ++accepted_steps_;
    const double t_prev = step.first;
    const double t_now = step.second;
    const StateVector& now = stepper.current_state();
    const std::size_t bad = first_non_finite(now);
    if (bad < now.size()) {
      fail(t_prev, "non-finite value in " + layout_.component_name(bad, scenario_) +
                       " during the step to t = " + format_time(t_now));
      x = stepper.previous_state();
      stop_time_ = t_prev;
      if (first_non_finite(x) == x.size()) recorder_.record_final(t_prev, x, recording_system);
      return false;
    }
    auto dense = [&](double tau, StateVector& out) {
      if (std::fabs(tau - t_now) <= SAME_TIME)
        out = now;
      else
        stepper.calc_state(tau, out);
    };
    // Kessler syndrome: stop where debris first reaches D_max (bisection on
    // the dense output; debris is continuous within the step).
    if (now[layout_.debris()] >= kessler) {
      double lo = t_prev, hi = t_now;
      StateVector probe(now.size());
      for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, std::fabs(hi)); ++it) {
        const double mid = 0.5 * (lo + hi);
        stepper.calc_state(mid, probe);
        (probe[layout_.debris()] >= kessler ? hi : lo) = mid;
      }
      record_outputs_up_to(hi, false, dense, recording_system);
      dense(hi, x);
      status_ = RunStatus::kessler;
      stop_time_ = hi;
      message_ = "debris reached the Kessler threshold of " + format_time(kessler) +
                 " objects at t = " + format_time(hi);
      recorder_.record_final(hi, x, recording_system);
      return false;
    }
    // A located jump of a launch provider just after this step (dynamics/switch_location.hpp).
    const double t_jump = switch_retry.take_jump();
    // Entries (docs/model.md, "Entry"). A plant out of the money whose Q − 1
    // turned positive in this step entered where it crossed 0, with a jump of
    // its investment: stop there and restart with it entered. One in the
    // money enters continuously: mark it entered at the step's end once it
    // has left K = U = 0, and restart there (its derivative changes form).
    // dopri5's last stage evaluated the stepped system at (now, t_now).
    const Workspace& at_now = std::is_same_v<Stepper, BulirschStoer>
                                  ? (entry_gaps_at(now, t_now), locating_system.workspace())
                                  : system.workspace();
    // The census (probe.hpp) of entered plants' investment switching on or
    // off between the ends of the part of a step that is kept.
    [[maybe_unused]] auto count_switches = [&](const std::vector<double>& gaps_end) {
      for (std::size_t ik = 0; ik < plants; ++ik)
        probe_->investment_switches += entered_[ik] && (gaps_before[ik] > 0.0) != (gaps_end[ik] > 0.0);
    };
    bool jumping = false, leaving = false;
    for (std::size_t ik = 0; ik < plants; ++ik) {
      if (entered_[ik]) continue;
      if (at_now.entry_gap[ik] > 0.0 && !(at_now.gross_margin[ik] > 0.0))
        jumping = true;
      else if (!at_origin(now, ik))
        leaving = true;
    }
    if (jumping) {
      // Only plants out of the money jump; the others are not located.
      std::vector<std::int8_t> ignored(plants);
      for (std::size_t ik = 0; ik < plants; ++ik) ignored[ik] = entered_[ik] || at_now.gross_margin[ik] > 0.0;
      std::vector<double> gaps_hi;
      const double t_entry = locate_entry(t_prev, t_now, gaps_before, at_now.entry_gap, ignored, now.size(),
                                          dense, entry_gaps_at, gaps_hi);
      // Only [t_prev, t_entry] is kept: its switches count now, and a provider
      // change in it counts at the next kept step's end.
      if constexpr (Probed) count_switches(gaps_hi);
      record_outputs_up_to(t_entry, false, dense, recording_system);
      dense(t_entry, x);
      clamp_nonnegative(x);
      for (std::size_t ik = 0; ik < plants; ++ik)
        if (!ignored[ik] && gaps_hi[ik] > 0.0) entered_[ik] = 1;
      for (std::size_t ik = 0; ik < plants; ++ik)
        if (!entered_[ik] && !at_origin(x, ik)) entered_[ik] = 1;
      gaps_before = gaps_hi;
      set_entered();
      restart_at(x, t_entry);
      t = t_entry;
      continue;
    }
    if constexpr (Probed) {
      count_switches(at_now.entry_gap);
      for (std::size_t b = 0; b < providers_before.size(); ++b)
        probe_->provider_changes += providers_before[b] != at_now.launch_provider[b];
      providers_before = at_now.launch_provider;
    }
    if (leaving) {
      for (std::size_t ik = 0; ik < plants; ++ik)
        if (!entered_[ik] && !at_origin(now, ik)) entered_[ik] = 1;
      set_entered();
      record_outputs_up_to(t_now, last && segment.end - t_now <= SAME_TIME, dense, recording_system);
      gaps_before = at_now.entry_gap;
      restart_at(StateVector(now), t_now); // a copy: `now` is the stepper's own state
      t = t_now;
      continue;
    }
    gaps_before = at_now.entry_gap;
    // It follows the step's end within the location's precision, or there is none.
    const bool jump_follows =
        t_jump > t_now && t_jump - t_now <= 2.0 * SwitchRetry<decltype(locating_evaluation)>::JUMP_TOLERANCE *
                                                std::max(1.0, std::fabs(t_now));
    if (jump_follows && segment.end - t_jump > SAME_TIME) {
      // Restart just after the jump, from the step's dense output (continued
      // by less than SwitchRetry::JUMP_TOLERANCE of the time).
      record_outputs_up_to(t_jump, false, dense, recording_system);
      dense(t_jump, x);
      clamp_nonnegative(x);
      restart_at(x, t_jump);
      t = t_jump;
      continue;
    }
    record_outputs_up_to(t_now, last && segment.end - t_now <= SAME_TIME, dense, recording_system);
    t = t_now;
    if (settings.wall_time_limit > 0.0 && segment.end - t > SAME_TIME &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count() >
            settings.wall_time_limit) {
      x = now;
      fail(t, "wall-clock limit of " + format_time(settings.wall_time_limit) +
                  " s per run reached (run_time_limit)");
      recorder_.record_final(t, x, recording_system);
      return false;
    }
    if (accepted_steps_ >= settings.max_steps && segment.end - t > SAME_TIME) {
      x = now;
      fail(t, "step limit of " + std::to_string(settings.max_steps) + " accepted steps reached (integrator." +
                  "max_steps); last step size " + format_time(stepper.current_time_step()) + " yr");
      recorder_.record_final(t, x, recording_system);
      return false;
    }
  }
  x = stepper.current_state();
  if (last)
    record_outputs_up_to(
        segment.end, true, [&](double, StateVector& out) { out = x; }, recording_system);
  return true;
}

template <bool Probed> RunResults RunIntegrator<Probed>::run() {
  started_ = std::chrono::steady_clock::now();
  StateVector x = initial_state(scenario_, layout_);
  scratch_.assign(layout_.size(), 0.0);
  reference_ = make_run_reference(scenario_, segments_.front().in_force, x, layout_);
  stop_time_ = scenario_.end_year;
  const bool dopri5 = scenario_.integrator.stepper != Stepper::bulirsch_stoer;
  using Runge = Dopri5;
  for (std::size_t s = 0; s < segments_.size(); ++s) {
    const bool last = s + 1 == segments_.size();
    segment_index_ = s;
    const bool going_on = dopri5 ? integrate_segment<Runge>(segments_[s], last, x)
                                 : integrate_segment<BulirschStoer>(segments_[s], last, x);
    if (!going_on) break;
  }
  if constexpr (Probed) probe_->entries = std::count(entered_.begin(), entered_.end(), 1) - entered_at_start_;
  RunResults results;
  recorder_.finish(results, stop_time_);
  results.status = status_;
  results.message = message_;
  fail_on_non_finite_outputs(results);
  results.rhs_evaluations = rhs_evaluations_ + event_evaluations_;
  results.accepted_steps = accepted_steps_;
  // Bulirsch-Stoer varies its order and does not count its rejections: -1 = unknown.
  results.rejected_steps = dopri5 ? rejected_steps_ : -1;
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return results;
}

} // namespace

RunResults simulate(const Scenario& scenario) {
  return RunIntegrator<false>(scenario).run();
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
  const std::uint64_t started = probe_ticks();
  RunResults results = RunIntegrator<true>(scenario, &probe).run();
  probe.total += probe_ticks() - started;
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
