#include "dynamics/events.hpp"

#include <algorithm>
#include <sstream>

namespace arcm {

std::size_t first_non_finite(const StateVector& x) {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i])) return i;
  return x.size();
}

std::string format_time(double t) {
  std::ostringstream s;
  s.precision(10);
  s << t;
  return s.str();
}

// ---- Non-finite values, Kessler ----------------------------------------------

bool NonFiniteState::handle(const AcceptedStep& step, Control& control) {
  const std::size_t bad = first_non_finite(step.now);
  if (bad == step.now.size()) return false;
  control.stop(step.t_prev, RunStatus::failed,
               "non-finite value in " + layout_.component_name(bad, scenario_) +
                   " during the step to t = " + format_time(step.t_now),
               step.previous);
  return true;
}

bool KesslerStop::handle(const AcceptedStep& step, Control& control) {
  if (!(step.now[debris_] >= threshold_)) return false;
  double lo = step.t_prev, hi = step.t_now;
  StateVector probe(step.now.size());
  for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, std::fabs(hi)); ++it) {
    const double mid = 0.5 * (lo + hi);
    step.dense.interpolate(mid, probe);
    (probe[debris_] >= threshold_ ? hi : lo) = mid;
  }
  control.record_outputs_before(hi);
  StateVector x;
  step.dense(hi, x);
  control.stop(hi, RunStatus::kessler,
               "debris reached the Kessler threshold of " + format_time(threshold_) +
                   " objects at t = " + format_time(hi),
               x);
  return true;
}

// ---- Entry -------------------------------------------------------------------

namespace {

// The earliest time in (t_lo, t_hi] at which the Q − 1 of a plant not yet
// entered crosses 0: regula falsi on the plant that the linear estimate puts
// first, on states from the step's dense output, with a bisection whenever
// one end of the bracket has stayed put twice. `gaps_lo` are all ≤ 0 for
// those plants; at the returned time at least one is > 0. Plants marked in
// `ignored` (entered, or entering continuously) are skipped.
double locate_entry(double t_lo, double t_hi, std::vector<double> gaps_lo, std::vector<double> gaps_hi,
                    const std::vector<std::int8_t>& ignored, std::size_t state_size, const DenseOutput& dense,
                    const EvaluateAt& evaluate_at, std::vector<double>& gaps_at_result) {
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
    const std::vector<double>& gaps = evaluate_at(state, t_next).entry_gap;
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

} // namespace

PlantEntry::PlantEntry(const Scenario& scenario, const StateLayout& layout, std::vector<std::int8_t>& entered,
                       std::vector<ArcmSystem*> systems, const EvaluateAt& evaluate_at,
                       EntryObserver* observer)
    : scenario_(scenario), layout_(layout), entered_(entered), systems_(std::move(systems)),
      evaluate_at_(evaluate_at), observer_(observer) {}

bool PlantEntry::at_origin(const StateVector& x, std::size_t plant) const {
  const std::size_t i = plant / scenario_.n_resources(), k = plant % scenario_.n_resources();
  return !(x[layout_.capacity(i, k)] > 0.0) && !(x[layout_.pipeline(i, k)] > 0.0);
}

void PlantEntry::set_entered() {
  for (ArcmSystem* system : systems_) system->set_entered(entered_);
}

bool PlantEntry::start_segment(const StateVector& x, double t,
                               const std::function<void(const std::vector<std::int8_t>&)>& record_start) {
  const std::size_t plants = scenario_.n_actors() * scenario_.n_resources();
  const bool run_start = entered_.empty();
  if (run_start) {
    entered_.assign(plants, 0);
    for (std::size_t ik = 0; ik < plants; ++ik) entered_[ik] = !at_origin(x, ik);
  }
  set_entered();
  // Plants that invest from the start enter now. The gaps of plants not
  // entered do not depend on the entry states of others.
  const Workspace& at_start = evaluate_at_(x, t);
  gaps_before_ = at_start.entry_gap;
  if (observer_ != nullptr) observer_->segment_started(at_start);
  const std::vector<std::int8_t> entered_before_start = entered_;
  for (std::size_t ik = 0; ik < plants; ++ik)
    if (!entered_[ik] && gaps_before_[ik] > 0.0) entered_[ik] = 1;

  // An output exactly at the segment start takes the state at the start,
  // with the parameters of this segment (right-continuous outputs). A plant
  // that has not entered sits at K = 0 there, where it takes the rule as
  // written (u = 1); at the run's start every plant does, so the first
  // plants' t0 investment is the rule's.
  std::vector<std::int8_t> as_written(entered_before_start);
  for (std::size_t ik = 0; ik < plants; ++ik)
    if (run_start || !as_written[ik]) as_written[ik] = -1;
  record_start(as_written);
  set_entered();
  return run_start;
}

bool PlantEntry::handle(const AcceptedStep& step, Control& control) {
  const std::size_t plants = entered_.size();
  const Workspace& at_now = step.at_now();
  bool jumping = false, leaving = false;
  for (std::size_t ik = 0; ik < plants; ++ik) {
    if (entered_[ik]) continue;
    if (at_now.entry_gap[ik] > 0.0 && !(at_now.gross_margin[ik] > 0.0))
      jumping = true;
    else if (!at_origin(step.now, ik))
      leaving = true;
  }
  if (jumping) {
    // Only plants out of the money jump; the others are not located.
    std::vector<std::int8_t> ignored(plants);
    for (std::size_t ik = 0; ik < plants; ++ik) ignored[ik] = entered_[ik] || at_now.gross_margin[ik] > 0.0;
    std::vector<double> gaps_hi;
    const double t_entry = locate_entry(step.t_prev, step.t_now, gaps_before_, at_now.entry_gap, ignored,
                                        step.now.size(), step.dense, evaluate_at_, gaps_hi);
    // Only [t_prev, t_entry] is kept.
    if (observer_ != nullptr) observer_->kept_step(gaps_before_, gaps_hi, entered_, nullptr);
    control.record_outputs_before(t_entry);
    StateVector x;
    control.restart_state(t_entry, x);
    for (std::size_t ik = 0; ik < plants; ++ik)
      if (!ignored[ik] && gaps_hi[ik] > 0.0) entered_[ik] = 1;
    for (std::size_t ik = 0; ik < plants; ++ik)
      if (!entered_[ik] && !at_origin(x, ik)) entered_[ik] = 1;
    gaps_before_ = gaps_hi;
    set_entered();
    control.restart(x, t_entry);
    return true;
  }
  if (observer_ != nullptr) observer_->kept_step(gaps_before_, at_now.entry_gap, entered_, &at_now);
  if (leaving) {
    for (std::size_t ik = 0; ik < plants; ++ik)
      if (!entered_[ik] && !at_origin(step.now, ik)) entered_[ik] = 1;
    set_entered();
    control.record_outputs_to_step_end();
    gaps_before_ = at_now.entry_gap;
    control.restart(StateVector(step.now), step.t_now); // a copy: `now` is the stepper's own state
    return true;
  }
  gaps_before_ = at_now.entry_gap;
  return false;
}

// ---- Limits ------------------------------------------------------------------

bool WallTimeLimit::handle(const AcceptedStep& step, Control& control) {
  if (!(seconds_ > 0.0) || segment_.end - step.t_now <= SAME_TIME) return false;
  if (!(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count() > seconds_))
    return false;
  control.stop(step.t_now, RunStatus::failed,
               "wall-clock limit of " + format_time(seconds_) + " s per run reached (run_time_limit)",
               step.now);
  return true;
}

bool StepCountLimit::handle(const AcceptedStep& step, Control& control) {
  if (accepted_ < max_steps_ || segment_.end - step.t_now <= SAME_TIME) return false;
  control.stop(step.t_now, RunStatus::failed,
               "step limit of " + std::to_string(max_steps_) + " accepted steps reached (integrator." +
                   "max_steps); last step size " + format_time(current_step_()) + " yr",
               step.now);
  return true;
}

} // namespace arcm
