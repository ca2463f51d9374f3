#include "scenario/validation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/schedule.hpp"
#include "scenario/schema.hpp"

namespace arcm {

namespace {

// Shortest text that reads back as the same double, for messages.
std::string show(double value) {
  std::ostringstream text;
  text.precision(12);
  text << value;
  return text.str();
}

std::string must_be(const char* requirement, double value) {
  return std::string("must be ") + requirement + ", got " + show(value);
}

// Small helpers that keep each rule on one line: they name the requirement in
// words so that every message says what would be accepted.
class Checker {
public:
  explicit Checker(const SourceMap& where) : where_(where) {}

  void positive(const std::string& path, double value) const {
    if (!(value > 0)) where_.fail(path, must_be("> 0", value));
  }
  void non_negative(const std::string& path, double value) const {
    if (!(value >= 0)) where_.fail(path, must_be(">= 0", value));
  }
  void unit_interval(const std::string& path, double value) const {
    if (!(value >= 0 && value <= 1)) where_.fail(path, must_be("between 0 and 1", value));
  }
  void problem(const std::string& path, const std::string& reason) const {
    if (!reason.empty()) where_.fail(path, reason);
  }
  [[noreturn]] void fail(const std::string& path, const std::string& what) const { where_.fail(path, what); }

private:
  const SourceMap& where_;
};

void check_time_and_numerics(const Scenario& s, const Checker& check) {
  if (!(s.end_year > s.start_year))
    check.fail("time.end",
               "must be later than time.start = " + show(s.start_year) + ", got " + show(s.end_year));

  const IntegratorSettings& integrator = s.integrator;
  if (integrator.stepper != "dopri5" && integrator.stepper != "bulirsch_stoer")
    check.fail("integrator.stepper", "expected `dopri5` or `bulirsch_stoer` (both with dense output), got '" +
                                         integrator.stepper + "'");
  check.positive("integrator.relative_tolerance", integrator.relative_tolerance);
  check.positive("integrator.absolute_tolerance", integrator.absolute_tolerance);
  check.positive("integrator.initial_step", integrator.initial_step);
  if (integrator.max_steps <= 0)
    check.fail("integrator.max_steps", "must be > 0, got " + std::to_string(integrator.max_steps));

  check.positive("output.step", s.output.step);
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
  const Economy& e = s.economy;
  check.positive("economy.social_discount_rate", e.social_discount_rate);
  check.positive("economy.eligibility_band", e.eligibility_band);
  check.positive("economy.investment_saturation", e.investment_saturation);
  check.positive("economy.revenue_share_floor", e.revenue_share_floor);
  check.non_negative("economy.title_risk_premium", e.title_risk_premium);
  check.non_negative("economy.tension_risk_premium", e.tension_risk_premium);
  check.non_negative("economy.tension_cost_surcharge", e.tension_cost_surcharge);
  check.non_negative("economy.debris_launch_surcharge", e.debris_launch_surcharge);
  check.non_negative("economy.mitigation_cost", e.mitigation_cost);
  check.non_negative("economy.debris_capacity_loss", e.debris_capacity_loss);

  const Debris& d = s.debris;
  check.non_negative("debris.initial", d.initial);
  check.positive("debris.reference", d.reference);
  check.positive("debris.saturation", d.saturation);
  if (!(d.kessler_threshold > d.initial))
    check.fail("debris.kessler_threshold", "must be greater than debris.initial = " + show(d.initial) +
                                               ", got " + show(d.kessler_threshold));
  check.non_negative("debris.per_launched_tonne", d.per_launched_tonne);
  check.non_negative("debris.collision_rate", d.collision_rate);
  check.non_negative("debris.decay_rate", d.decay_rate);
  check.non_negative("debris.per_asat_test", d.per_asat_test);

  const Tension& t = s.tension;
  check.unit_interval("tension.initial", t.initial);
  check.unit_interval("tension.base", t.base);
  check.non_negative("tension.inequality_weight", t.inequality_weight);
  check.non_negative("tension.claims_weight", t.claims_weight);
  check.positive("tension.adjustment_time", t.adjustment_time);

  const Regime& r = s.regime;
  const std::pair<const char*, double> regime_values[] = {
      {"property_security", r.property_security},
      {"safety_zone_exclusivity", r.safety_zone_exclusivity},
      {"benefit_sharing_rate", r.benefit_sharing_rate},
      {"cross_bloc_recognition", r.cross_bloc_recognition},
      {"debris_mitigation", r.debris_mitigation},
      {"spillover_within_bloc", r.spillover_within_bloc},
      {"spillover_across_blocs", r.spillover_across_blocs},
      {"asat_tests_per_tension", r.asat_tests_per_tension}};
  for (const auto& [key, value] : regime_values)
    check.problem(std::string("legal.") + key, regime_value_problem(key, value));
}

void check_jurisdictions(const Scenario& s, const Checker& check) {
  for (const Jurisdiction& j : s.jurisdictions) {
    const std::string path = "jurisdictions." + j.id + ".";
    if (j.has_domestic_law)
      check.problem(path + "domestic_property_security",
                    jurisdiction_value_problem("domestic_property_security", j.domestic_property_security));
    check.problem(path + "licensing_fee_share",
                  jurisdiction_value_problem("licensing_fee_share", j.licensing_fee_share));
    check.problem(path + "licensing_delay", jurisdiction_value_problem("licensing_delay", j.licensing_delay));
  }
}

void check_resources(const Scenario& s, const Checker& check) {
  if (s.resources.empty()) check.fail("resources", "at least one resource is required");
  for (const Resource& k : s.resources) {
    const std::string path = "resources." + k.id + ".";
    check.positive(path + "demand", k.demand);
    check.positive(path + "reference_price", k.reference_price);
    check.positive(path + "elasticity", k.elasticity);
    check.non_negative(path + "fringe_supply", k.fringe_supply);
    check.non_negative(path + "fringe_elasticity", k.fringe_elasticity);
    if (k.has_backstop) {
      check.non_negative(path + "backstop.price", k.backstop_price);
      check.non_negative(path + "backstop.launch_mass", k.backstop_launch_mass);
      if (!(k.backstop_price > 0 || k.backstop_launch_mass > 0))
        check.fail(path + "backstop", "a backstop needs price > 0 or launch_mass > 0 (its price would be 0)");
    }
    if (!(k.fringe_supply > 0) && !k.has_backstop)
      check.fail("resources." + k.id,
                 "needs a fringe (fringe_supply > 0) or a backstop, so that its price is always defined");
    check.positive(path + "stock", k.stock);
    check.positive(path + "min_stock", k.min_stock);
    check.non_negative(path + "stock_exponent", k.stock_exponent);
    check.non_negative(path + "regeneration_rate", k.regeneration_rate);
    if (!std::isnan(k.stock_capacity)) check.positive(path + "stock_capacity", k.stock_capacity);
    if (k.regeneration_rate > 0 && std::isnan(k.stock_capacity))
      check.fail(path + "regeneration_rate", "regeneration_rate > 0 needs stock_capacity > 0 (none given)");
    check.non_negative(path + "extraction_cost", k.extraction_cost);
    check.non_negative(path + "transport_cost", k.transport_cost);
    check.non_negative(path + "operations_mass", k.operations_mass);
    check.positive(path + "hardware_cost", k.hardware_cost);
    check.non_negative(path + "plant_mass", k.plant_mass);
    check.non_negative(path + "build_time", k.build_time);
    check.non_negative(path + "depreciation", k.depreciation);
    check.non_negative(path + "entry_scale", k.entry_scale);
  }
}

void check_actors(const Scenario& s, const Checker& check) {
  if (s.actors.empty()) check.fail("actors", "at least one actor is required");
  for (const Actor& a : s.actors) {
    const std::string path = "actors." + a.id + ".";
    if (a.jurisdiction < 0 || static_cast<std::size_t>(a.jurisdiction) >= s.jurisdictions.size())
      check.fail(path + "jurisdiction", "does not name a known jurisdiction");
    if (a.bloc >= static_cast<int>(s.blocs.size())) check.fail(path + "bloc", "does not name a known bloc");
    check.positive(path + "launch_cost", a.launch_cost);
    check.non_negative(path + "launch_cost_floor", a.launch_cost_floor);
    if (a.launch_cost_floor > a.launch_cost)
      check.fail(path + "launch_cost_floor", "must not exceed launch_cost = " + show(a.launch_cost) +
                                                 ", got " + show(a.launch_cost_floor));
    if (!(a.progress_ratio > 0 && a.progress_ratio <= 1))
      check.fail(path + "progress_ratio", must_be("in (0, 1]", a.progress_ratio));
    check.positive(path + "launch_experience", a.launch_experience);
    check.non_negative(path + "launch_markup", a.launch_markup);
    if (a.launch_provider && a.kind == ActorKind::state)
      check.fail(path + "launch_provider", "only firms sell launches (MODEL.md §3); this actor is a state");
    check.non_negative(path + "base_launch_mass", a.base_launch_mass);
    check.non_negative(path + "budget", a.budget);
    check.unit_interval(path + "resource_budget_share", a.resource_budget_share);
    check.unit_interval(path + "profit_reinvestment", a.profit_reinvestment);
    for (const Resource& k : s.resources)
      if (!(a.discount_rate + k.depreciation > 0))
        check.fail(path + "discount_rate", "discount_rate + depreciation of resource '" + k.id +
                                               "' must be > 0 (the required return " +
                                               "would not be positive), got " + show(a.discount_rate) +
                                               " + " + show(k.depreciation));
    check.non_negative(path + "adjustment_speed", a.adjustment_speed);
    check.non_negative(path + "strategic_value", a.strategic_value);
    check.positive(path + "cost_efficiency", a.cost_efficiency);
    if (a.initial_capacity.size() != s.resources.size() || a.initial_pipeline.size() != s.resources.size())
      check.fail(path + "initial_capacity", "must have one value per resource");
    for (std::size_t k = 0; k < s.resources.size(); ++k) {
      check.non_negative(path + "initial_capacity." + s.resources[k].id, a.initial_capacity[k]);
      check.non_negative(path + "initial_pipeline." + s.resources[k].id, a.initial_pipeline[k]);
    }
  }
}

void check_beneficiaries(const Scenario& s, const Checker& check) {
  double total = 0;
  for (const Beneficiary& b : s.beneficiaries) {
    check.non_negative("beneficiaries." + b.id + ".weight", b.weight);
    total += b.weight;
  }
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

    const bool regime_event = event.target == ScheduleEvent::Target::regime;
    if (event.target == ScheduleEvent::Target::one_jurisdiction &&
        (event.jurisdiction < 0 || static_cast<std::size_t>(event.jurisdiction) >= s.jurisdictions.size()))
      check.fail(path + ".jurisdiction", "does not name a known jurisdiction");
    for (const ParameterChange& change : event.changes) {
      const std::string change_path = path + ".set." + change.key;
      const auto& allowed = regime_event ? regime_event_keys() : jurisdiction_event_keys();
      if (std::find(allowed.begin(), allowed.end(), change.key) == allowed.end())
        check.fail(change_path, "cannot be set by this kind of event");
      if (regime_event) {
        if (schema::value_kind(change.key) == schema::ValueKind::number)
          check.problem(change_path, regime_value_problem(change.key, change.value));
        continue;
      }
      check.problem(change_path, jurisdiction_value_problem(change.key, change.value));
      if (event.target == ScheduleEvent::Target::all_jurisdictions)
        for (Jurisdiction& j : in_force) apply_jurisdiction_change(j, change);
      else
        apply_jurisdiction_change(in_force[static_cast<std::size_t>(event.jurisdiction)], change);
      if (change.key == "licensing_delay") check_build_lags(s, in_force, check, change_path);
    }
  }
}

} // namespace

std::string regime_value_problem(const std::string& key, double value) {
  if (key == "benefit_sharing_rate") return value >= 0 && value < 1 ? "" : must_be("in [0, 1)", value);
  if (key == "property_security" || key == "safety_zone_exclusivity" || key == "cross_bloc_recognition" ||
      key == "debris_mitigation")
    return value >= 0 && value <= 1 ? "" : must_be("between 0 and 1", value);
  if (key == "spillover_within_bloc" || key == "spillover_across_blocs" || key == "asat_tests_per_tension")
    return value >= 0 ? "" : must_be(">= 0", value);
  return ""; // regime_scope and cross_bloc_launch are checked by their YAML type
}

std::string jurisdiction_value_problem(const std::string& key, double value) {
  if (key == "domestic_property_security")
    return std::isnan(value) || (value >= 0 && value <= 1) ? "" : must_be("between 0 and 1 (or null)", value);
  if (key == "licensing_fee_share" || key == "licensing_delay")
    return value >= 0 ? "" : must_be(">= 0", value);
  return "";
}

void validate(const Scenario& scenario, const SourceMap& where) {
  const Checker check(where);
  check_time_and_numerics(scenario, check);
  check_globals(scenario, check);
  check_jurisdictions(scenario, check);
  check_resources(scenario, check);
  check_actors(scenario, check);
  check_beneficiaries(scenario, check);
  check_schedule(scenario, check);
}

} // namespace arcm
