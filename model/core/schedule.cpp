#include "core/schedule.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace arcm {

const std::vector<std::string>& regime_event_keys() {
  static const std::vector<std::string> keys{
      "property_security",      "safety_zone_exclusivity", "benefit_sharing_rate", "regime_scope",
      "cross_bloc_recognition", "debris_mitigation",       "cross_bloc_launch",    "spillover_within_bloc",
      "spillover_across_blocs", "asat_tests_per_tension"};
  return keys;
}

const std::vector<std::string>& jurisdiction_event_keys() {
  static const std::vector<std::string> keys{"domestic_property_security", "licensing_fee_share",
                                             "licensing_delay", "party_to_regime"};
  return keys;
}

void apply_regime_change(Regime& regime, const ParameterChange& change) {
  const std::string& key = change.key;
  const double v = change.value;
  if (key == "property_security")
    regime.property_security = v;
  else if (key == "safety_zone_exclusivity")
    regime.safety_zone_exclusivity = v;
  else if (key == "benefit_sharing_rate")
    regime.benefit_sharing_rate = v;
  else if (key == "regime_scope")
    regime.scope = v != 0.0 ? RegimeScope::universal : RegimeScope::parties;
  else if (key == "cross_bloc_recognition")
    regime.cross_bloc_recognition = v;
  else if (key == "debris_mitigation")
    regime.debris_mitigation = v;
  else if (key == "cross_bloc_launch")
    regime.cross_bloc_launch = v != 0.0;
  else if (key == "spillover_within_bloc")
    regime.spillover_within_bloc = v;
  else if (key == "spillover_across_blocs")
    regime.spillover_across_blocs = v;
  else if (key == "asat_tests_per_tension")
    regime.asat_tests_per_tension = v;
  else
    throw Error("unknown regime key '" + key + "'");
}

void apply_jurisdiction_change(Jurisdiction& jurisdiction, const ParameterChange& change) {
  const std::string& key = change.key;
  const double v = change.value;
  if (key == "domestic_property_security") {
    // NaN (YAML null) repeals the domestic law.
    jurisdiction.has_domestic_law = !std::isnan(v);
    jurisdiction.domestic_property_security = std::isnan(v) ? 0.0 : v;
  } else if (key == "licensing_fee_share")
    jurisdiction.licensing_fee_share = v;
  else if (key == "licensing_delay")
    jurisdiction.licensing_delay = v;
  else if (key == "party_to_regime")
    jurisdiction.party_to_regime = v != 0.0;
  else
    throw Error("unknown jurisdiction key '" + key + "'");
}

namespace {
void apply_event(RegimeState& state, const ScheduleEvent& event) {
  for (const ParameterChange& change : event.changes) {
    switch (event.target) {
    case ScheduleEvent::Target::regime: apply_regime_change(state.regime, change); break;
    case ScheduleEvent::Target::one_jurisdiction:
      apply_jurisdiction_change(state.jurisdictions.at(static_cast<std::size_t>(event.jurisdiction)), change);
      break;
    case ScheduleEvent::Target::all_jurisdictions:
      for (Jurisdiction& j : state.jurisdictions) apply_jurisdiction_change(j, change);
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
