#include "core/schedule.hpp"

namespace arcm {

namespace {
// The setters were resolved from the keys when the scenario was loaded.
void apply_event(RegimeState& state, const ScheduleEvent& event) {
  for (const ParameterChange& change : event.changes) {
    switch (event.target) {
    case ScheduleEvent::Target::regime: change.set_regime(state.regime, change.value); break;
    case ScheduleEvent::Target::one_jurisdiction:
      change.set_jurisdiction(state.jurisdictions.at(static_cast<std::size_t>(event.jurisdiction)),
                              change.value);
      break;
    case ScheduleEvent::Target::all_jurisdictions:
      for (Jurisdiction& j : state.jurisdictions) change.set_jurisdiction(j, change.value);
      break;
    }
  }
}
} // namespace

std::vector<Segment> build_segments(const Scenario& scenario) {
  RegimeState state{scenario.regime, scenario.jurisdictions};
  std::vector<Segment> segments;
  std::size_t next_event = 0;
  const auto& events = scenario.schedule;
  double start = scenario.start_year;
  while (true) {
    // Apply every event at `start` (file order), then run to the next event year.
    while (next_event < events.size() && events[next_event].year <= start) {
      apply_event(state, events[next_event]);
      ++next_event;
    }
    const double end = next_event < events.size() ? events[next_event].year : scenario.end_year;
    segments.push_back({start, end, state});
    if (next_event >= events.size()) break;
    start = end;
  }
  return segments;
}

} // namespace arcm
