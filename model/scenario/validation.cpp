#include "scenario/validation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "scenario/parameter_table.hpp"

namespace arcm {

namespace {

using parameters::Parameter;
using parameters::Section;
using parameters::Type;

// Shortest text that reads back as the same double, for messages.
std::string show(double value) {
  std::ostringstream text;
  text.precision(12);
  text << value;
  return text.str();
}

// Small helpers that keep each rule on one line: they name the requirement in
// words so that every message says what would be accepted.
class Checker {
public:
  explicit Checker(const SourceMap& where) : where_(where) {}

  void problem(const std::string& path, const std::string& reason) const {
    if (!reason.empty()) where_.fail(path, reason);
  }
  [[noreturn]] void fail(const std::string& path, const std::string& what) const { where_.fail(path, what); }

private:
  const SourceMap& where_;
};

// The range of every number of `section` in `value` (the section at
// `path`): the table's own rules, one per row.
template <class Struct>
void check_ranges(const Section<Struct>& section, const Struct& value, const std::string& path,
                  const std::vector<Resource>& resources, const Checker& check) {
  for (const Parameter<Struct>& row : section.rows) {
    const std::string key = path.empty() ? row.key() : path + "." + row.key();
    switch (row.about.type) {
    case Type::number:
    case Type::optional_number:
    case Type::whole_number: check.problem(key, parameters::value_problem(row.about, row.get(value))); break;
    case Type::per_resource: {
      const std::vector<double>& values = value.*(row.list);
      if (values.size() != resources.size()) check.fail(key, "must have one value per resource");
      for (std::size_t k = 0; k < resources.size(); ++k)
        check.problem(key + "." + resources[k].id, parameters::value_problem(row.about, values[k]));
      break;
    }
    default: break;
    }
  }
}

template <class Item>
void check_item_ranges(const Section<Item>& section, const std::vector<Item>& items, const char* key,
                       const std::vector<Resource>& resources, const Checker& check) {
  for (const Item& item : items)
    check_ranges(section, item, std::string(key) + "." + item.id, resources, check);
}

void check_time_and_numerics(const Scenario& s, const Checker& check) {
  const parameters::Table& table = parameters::table();
  check_ranges(table.time, s, "time", s.resources, check);
  if (!(s.end_year > s.start_year))
    check.fail("time.end",
               "must be later than time.start = " + show(s.start_year) + ", got " + show(s.end_year));
  check_ranges(table.integrator, s.integrator, "integrator", s.resources, check);
  check_ranges(table.output, s.output, "output", s.resources, check);
  const double steps = (s.end_year - s.start_year) / s.output.step;
  // Every run holds its whole output grid in memory: more than a million
  // output times (or an infinite span) is a typo, and would exhaust memory.
  if (!(steps <= 1e6))
    check.fail("output.step", "gives " + show(steps) + " output times over time.end - time.start = " +
                                  show(s.end_year - s.start_year) + "; at most 1e6 are allowed");
  if (std::abs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps))
    check.fail("output.step", "must divide time.end - time.start = " + show(s.end_year - s.start_year) +
                                  " into a whole number of steps, got " + show(s.output.step));
}

void check_globals(const Scenario& s, const Checker& check) {
  const parameters::Table& table = parameters::table();
  check_ranges(table.economy, s.economy, "economy", s.resources, check);
  check_ranges(table.debris, s.debris, "debris", s.resources, check);
  const Debris& d = s.debris;
  if (!(d.kessler_threshold > d.initial))
    check.fail("debris.kessler_threshold", "must be greater than debris.initial = " + show(d.initial) +
                                               ", got " + show(d.kessler_threshold));
  check_ranges(table.tension, s.tension, "tension", s.resources, check);
  check_ranges(table.legal, s.regime, "legal", s.resources, check);
  // The expected path is held on the grid of an output step (§3.15).
  if (!std::isnan(s.economy.foresight_step) && s.economy.foresight_step > 0.0) {
    const double span = s.end_year - s.start_year;
    const double steps = span / s.economy.foresight_step;
    if (!(steps <= 1e6))
      check.fail("economy.foresight_step", "gives " + show(steps) +
                                               " grid times over time.end - time.start = " + show(span) +
                                               "; at most 1e6 are allowed");
    else if (std::abs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps))
      check.fail("economy.foresight_step", "must divide time.end - time.start = " + show(span) +
                                               " into a whole number of steps, got " +
                                               show(s.economy.foresight_step));
  }
}

void check_resources(const Scenario& s, const Checker& check) {
  if (s.resources.empty()) check.fail("resources", "at least one resource is required");
  const parameters::Table& table = parameters::table();
  for (const Resource& k : s.resources) {
    const std::string path = "resources." + k.id + ".";
    check_ranges(table.resource, k, "resources." + k.id, s.resources, check);
    if (k.has_backstop) {
      check_ranges(table.backstop, k, path + "backstop", s.resources, check);
      if (!(k.backstop_price > 0 || k.backstop_launch_mass > 0))
        check.fail(path + "backstop", "a backstop needs price > 0 or launch_mass > 0 (its price would be 0)");
    }
    if (!(k.fringe_supply > 0) && !k.has_backstop)
      check.fail("resources." + k.id,
                 "needs a fringe (fringe_supply > 0) or a backstop, so that its price is always defined");
    if (k.regeneration_rate > 0 && std::isnan(k.stock_capacity))
      check.fail(path + "regeneration_rate", "regeneration_rate > 0 needs stock_capacity > 0 (none given)");
  }
}

void check_actors(const Scenario& s, const Checker& check) {
  if (s.actors.empty()) check.fail("actors", "at least one actor is required");
  const parameters::Table& table = parameters::table();
  for (const Actor& a : s.actors) {
    const std::string path = "actors." + a.id + ".";
    if (a.jurisdiction < 0 || static_cast<std::size_t>(a.jurisdiction) >= s.jurisdictions.size())
      check.fail(path + "jurisdiction", "does not name a known jurisdiction");
    if (a.bloc >= static_cast<int>(s.blocs.size())) check.fail(path + "bloc", "does not name a known bloc");
    check_ranges(table.actor, a, "actors." + a.id, s.resources, check);
    if (a.launch_cost_floor > a.launch_cost)
      check.fail(path + "launch_cost_floor", "must not exceed launch_cost = " + show(a.launch_cost) +
                                                 ", got " + show(a.launch_cost_floor));
    if (a.launch_provider && a.kind == ActorKind::state)
      check.fail(path + "launch_provider",
                 "only firms sell launches (docs/model.md §3.1); this actor is a state");
    for (const Resource& k : s.resources)
      if (!(a.discount_rate + k.depreciation > 0))
        check.fail(path + "discount_rate", "discount_rate + depreciation of resource '" + k.id +
                                               "' must be > 0 (the required return " +
                                               "would not be positive), got " + show(a.discount_rate) +
                                               " + " + show(k.depreciation));
  }
}

void check_beneficiaries(const Scenario& s, const Checker& check) {
  check_item_ranges(parameters::table().beneficiary, s.beneficiaries, "beneficiaries", s.resources, check);
  double total = 0;
  for (const Beneficiary& b : s.beneficiaries) total += b.weight;
  if (!(total > 0))
    check.fail("beneficiaries", "the beneficiary weights must sum to more than 0 (benefit-sharing receipts "
                                "are divided by them)");
}

// τ_build + τ_L must stay positive for every actor's jurisdiction and every
// resource, at t0 and after every event, or the pipeline lag is zero.
void check_build_lags(const Scenario& s, const std::vector<Jurisdiction>& in_force, const Checker& check,
                      const std::string& event_path) {
  for (const Actor& a : s.actors) {
    const Jurisdiction& j = in_force.at(static_cast<std::size_t>(a.jurisdiction));
    for (const Resource& k : s.resources) {
      if (k.build_time + j.licensing_delay > 0) continue;
      const std::string why = "build_time of resource '" + k.id + "' + licensing_delay of jurisdiction '" +
                              j.id + "' (of actor '" + a.id + "') must be > 0, got " + show(k.build_time) +
                              " + " + show(j.licensing_delay);
      if (event_path.empty()) check.fail("resources." + k.id + ".build_time", why);
      check.fail(event_path, why + " after this event");
    }
  }
}

void check_schedule(const Scenario& s, const Checker& check) {
  std::vector<Jurisdiction> in_force = s.jurisdictions;
  check_build_lags(s, in_force, check, "");
  double previous_year = s.start_year;
  for (std::size_t i = 0; i < s.schedule.size(); ++i) {
    const ScheduleEvent& event = s.schedule[i];
    const std::string path = "schedule[" + std::to_string(i) + "]";
    if (!(event.year >= s.start_year && event.year < s.end_year))
      check.fail(path + ".year", "must lie in [time.start, time.end) = [" + show(s.start_year) + ", " +
                                     show(s.end_year) + "), got " + show(event.year));
    if (event.year < previous_year)
      check.fail(path + ".year", "events must be in nondecreasing year order; this one (" + show(event.year) +
                                     ") comes after " + show(previous_year));
    previous_year = event.year;

    if (event.target == ScheduleEvent::Target::one_jurisdiction &&
        (event.jurisdiction < 0 || static_cast<std::size_t>(event.jurisdiction) >= s.jurisdictions.size()))
      check.fail(path + ".jurisdiction", "does not name a known jurisdiction");
    const bool regime_event = event.target == ScheduleEvent::Target::regime;
    for (const ParameterChange& change : event.changes) {
      // A change built in code must have been resolved for its kind of event.
      if (regime_event ? change.set_regime == nullptr : change.set_jurisdiction == nullptr)
        check.fail(path + ".set", "a change is not resolved for this kind of event");
      const parameters::Description& about =
          regime_event ? parameters::regime_row(change).about : parameters::jurisdiction_row(change).about;
      const std::string change_path = path + ".set." + about.key;
      check.problem(change_path, parameters::value_problem(about, change.value));
      if (regime_event) continue;
      if (event.target == ScheduleEvent::Target::all_jurisdictions)
        for (Jurisdiction& j : in_force) change.set_jurisdiction(j, change.value);
      else
        change.set_jurisdiction(in_force[static_cast<std::size_t>(event.jurisdiction)], change.value);
      // Only licensing_delay moves the build lags; checking after every
      // change reports a zero lag at the change that made it.
      check_build_lags(s, in_force, check, change_path);
    }
  }
}

} // namespace

void validate(const Scenario& scenario, const SourceMap& where) {
  const Checker check(where);
  check_time_and_numerics(scenario, check);
  check_globals(scenario, check);
  check_item_ranges(parameters::table().jurisdiction, scenario.jurisdictions, "jurisdictions",
                    scenario.resources, check);
  check_resources(scenario, check);
  check_actors(scenario, check);
  check_beneficiaries(scenario, check);
  check_schedule(scenario, check);
}

} // namespace arcm
