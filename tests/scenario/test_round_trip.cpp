// to_yaml writes the resolved scenario; reading it back must give the same
// Scenario, field by field (NaN compares equal to NaN here: "not set").
#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "scenario/loader.hpp"

using namespace arcm;

namespace {
const std::string DATA = ARCM_TEST_DATA_DIR;

// Exact equality on purpose: numbers are written with round-trip precision.
bool same(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

void check_same(const Scenario& a, const Scenario& b) {
  CHECK(a.name == b.name);
  CHECK(a.description == b.description);
  CHECK(same(a.start_year, b.start_year));
  CHECK(same(a.end_year, b.end_year));
  CHECK(a.blocs == b.blocs);

  CHECK(a.integrator.stepper == b.integrator.stepper);
  CHECK(same(a.integrator.relative_tolerance, b.integrator.relative_tolerance));
  CHECK(same(a.integrator.absolute_tolerance, b.integrator.absolute_tolerance));
  CHECK(same(a.integrator.initial_step, b.integrator.initial_step));
  CHECK(a.integrator.max_steps == b.integrator.max_steps);
  CHECK(a.integrator.locate_switches == b.integrator.locate_switches);
  CHECK(a.integrator.predict_switches == b.integrator.predict_switches);
  CHECK(same(a.output.step, b.output.step));
  CHECK(a.output.all_variables == b.output.all_variables);
  CHECK(a.output.variables == b.output.variables);
  CHECK(a.output.single_precision == b.output.single_precision);

  const Economy &ea = a.economy, &eb = b.economy;
  CHECK(same(ea.social_discount_rate, eb.social_discount_rate));
  CHECK(same(ea.eligibility_band, eb.eligibility_band));
  CHECK(same(ea.investment_saturation, eb.investment_saturation));
  CHECK(same(ea.revenue_share_floor, eb.revenue_share_floor));
  CHECK(same(ea.title_risk_premium, eb.title_risk_premium));
  CHECK(same(ea.tension_risk_premium, eb.tension_risk_premium));
  CHECK(same(ea.tension_cost_surcharge, eb.tension_cost_surcharge));
  CHECK(same(ea.debris_launch_surcharge, eb.debris_launch_surcharge));
  CHECK(same(ea.mitigation_cost, eb.mitigation_cost));
  CHECK(same(ea.debris_capacity_loss, eb.debris_capacity_loss));

  const Debris &da = a.debris, &db = b.debris;
  CHECK(same(da.initial, db.initial));
  CHECK(same(da.reference, db.reference));
  CHECK(same(da.saturation, db.saturation));
  CHECK(same(da.kessler_threshold, db.kessler_threshold));
  CHECK(same(da.per_launched_tonne, db.per_launched_tonne));
  CHECK(same(da.collision_rate, db.collision_rate));
  CHECK(same(da.decay_rate, db.decay_rate));
  CHECK(same(da.per_asat_test, db.per_asat_test));

  const Tension &ta = a.tension, &tb = b.tension;
  CHECK(same(ta.initial, tb.initial));
  CHECK(same(ta.base, tb.base));
  CHECK(same(ta.inequality_weight, tb.inequality_weight));
  CHECK(same(ta.claims_weight, tb.claims_weight));
  CHECK(same(ta.adjustment_time, tb.adjustment_time));

  const Regime &ra = a.regime, &rb = b.regime;
  CHECK(same(ra.property_security, rb.property_security));
  CHECK(same(ra.safety_zone_exclusivity, rb.safety_zone_exclusivity));
  CHECK(same(ra.benefit_sharing_rate, rb.benefit_sharing_rate));
  CHECK(ra.scope == rb.scope);
  CHECK(same(ra.cross_bloc_recognition, rb.cross_bloc_recognition));
  CHECK(same(ra.debris_mitigation, rb.debris_mitigation));
  CHECK(ra.cross_bloc_launch == rb.cross_bloc_launch);
  CHECK(same(ra.spillover_within_bloc, rb.spillover_within_bloc));
  CHECK(same(ra.spillover_across_blocs, rb.spillover_across_blocs));
  CHECK(same(ra.asat_tests_per_tension, rb.asat_tests_per_tension));

  REQUIRE(a.jurisdictions.size() == b.jurisdictions.size());
  for (std::size_t j = 0; j < a.jurisdictions.size(); ++j) {
    const Jurisdiction &x = a.jurisdictions[j], &y = b.jurisdictions[j];
    INFO("jurisdiction " << x.id);
    CHECK(x.id == y.id);
    CHECK(x.has_domestic_law == y.has_domestic_law);
    CHECK(same(x.domestic_property_security, y.domestic_property_security));
    CHECK(same(x.licensing_fee_share, y.licensing_fee_share));
    CHECK(same(x.licensing_delay, y.licensing_delay));
    CHECK(x.party_to_regime == y.party_to_regime);
  }

  REQUIRE(a.actors.size() == b.actors.size());
  for (std::size_t i = 0; i < a.actors.size(); ++i) {
    const Actor &x = a.actors[i], &y = b.actors[i];
    INFO("actor " << x.id);
    CHECK(x.id == y.id);
    CHECK(x.kind == y.kind);
    CHECK(x.jurisdiction == y.jurisdiction);
    CHECK(x.bloc == y.bloc);
    CHECK(same(x.launch_cost, y.launch_cost));
    CHECK(same(x.launch_cost_floor, y.launch_cost_floor));
    CHECK(same(x.progress_ratio, y.progress_ratio));
    CHECK(same(x.launch_experience, y.launch_experience));
    CHECK(same(x.launch_markup, y.launch_markup));
    CHECK(x.launch_provider == y.launch_provider);
    CHECK(same(x.base_launch_mass, y.base_launch_mass));
    CHECK(same(x.base_launch_growth, y.base_launch_growth));
    CHECK(same(x.budget, y.budget));
    CHECK(same(x.resource_budget_share, y.resource_budget_share));
    CHECK(same(x.budget_growth, y.budget_growth));
    CHECK(same(x.profit_reinvestment, y.profit_reinvestment));
    CHECK(same(x.discount_rate, y.discount_rate));
    CHECK(same(x.adjustment_speed, y.adjustment_speed));
    CHECK(same(x.strategic_value, y.strategic_value));
    CHECK(same(x.cost_efficiency, y.cost_efficiency));
    CHECK(same(x.initial_capacity, y.initial_capacity));
    CHECK(same(x.initial_pipeline, y.initial_pipeline));
  }

  REQUIRE(a.resources.size() == b.resources.size());
  for (std::size_t k = 0; k < a.resources.size(); ++k) {
    const Resource &x = a.resources[k], &y = b.resources[k];
    INFO("resource " << x.id);
    CHECK(x.id == y.id);
    CHECK(x.description == y.description);
    CHECK(same(x.demand, y.demand));
    CHECK(same(x.reference_price, y.reference_price));
    CHECK(same(x.elasticity, y.elasticity));
    CHECK(same(x.demand_growth, y.demand_growth));
    CHECK(same(x.fringe_supply, y.fringe_supply));
    CHECK(same(x.fringe_elasticity, y.fringe_elasticity));
    CHECK(x.has_backstop == y.has_backstop);
    CHECK(same(x.backstop_price, y.backstop_price));
    CHECK(same(x.backstop_launch_mass, y.backstop_launch_mass));
    CHECK(same(x.stock, y.stock));
    CHECK(same(x.min_stock, y.min_stock));
    CHECK(same(x.stock_exponent, y.stock_exponent));
    CHECK(same(x.regeneration_rate, y.regeneration_rate));
    CHECK(same(x.stock_capacity, y.stock_capacity));
    CHECK(same(x.extraction_cost, y.extraction_cost));
    CHECK(same(x.transport_cost, y.transport_cost));
    CHECK(same(x.operations_mass, y.operations_mass));
    CHECK(same(x.hardware_cost, y.hardware_cost));
    CHECK(same(x.plant_mass, y.plant_mass));
    CHECK(same(x.build_time, y.build_time));
    CHECK(same(x.depreciation, y.depreciation));
    CHECK(same(x.entry_scale, y.entry_scale));
  }

  REQUIRE(a.beneficiaries.size() == b.beneficiaries.size());
  for (std::size_t i = 0; i < a.beneficiaries.size(); ++i) {
    INFO("beneficiary " << a.beneficiaries[i].id);
    CHECK(a.beneficiaries[i].id == b.beneficiaries[i].id);
    CHECK(same(a.beneficiaries[i].weight, b.beneficiaries[i].weight));
    CHECK(a.beneficiaries[i].actor == b.beneficiaries[i].actor);
  }

  REQUIRE(a.schedule.size() == b.schedule.size());
  for (std::size_t e = 0; e < a.schedule.size(); ++e) {
    const ScheduleEvent &x = a.schedule[e], &y = b.schedule[e];
    INFO("event " << e);
    CHECK(same(x.year, y.year));
    CHECK(x.target == y.target);
    CHECK(x.jurisdiction == y.jurisdiction);
    REQUIRE(x.changes.size() == y.changes.size());
    for (std::size_t c = 0; c < x.changes.size(); ++c) {
      CHECK(x.changes[c].parameter == y.changes[c].parameter);
      CHECK(x.changes[c].set_regime == y.changes[c].set_regime);
      CHECK(x.changes[c].set_jurisdiction == y.changes[c].set_jurisdiction);
      CHECK(same(x.changes[c].value, y.changes[c].value));
    }
  }
}
} // namespace

TEST_CASE("to_yaml of the rich fixture reads back as the same scenario", "[scenario][round_trip]") {
  const Scenario original = load_scenario(DATA + "/scenarios/rich.yaml");
  const std::string text = to_yaml(original);
  INFO(text);
  CHECK(text.find("extends") == std::string::npos);
  const Scenario again = load_scenario_from_string(text, "resolved.yaml");
  check_same(original, again);
  // And the text is a fixed point: writing the reloaded scenario changes nothing.
  CHECK(to_yaml(again) == text);
}

TEST_CASE("to_yaml writes every key, defaults included", "[scenario][round_trip]") {
  const std::string text = to_yaml(load_scenario(DATA + "/scenarios/base.yaml"));
  for (const char* key :
       {"relative_tolerance:", "kessler_threshold: 3650000", "saturation: 365000", "progress_ratio: 0.85",
        "regime_scope: parties", "cross_bloc_launch: true", "stock_capacity: null", "backstop: none",
        "initial_pipeline:", "schedule: []", "precision: float64", "variables: all", "locate_switches: true",
        "predict_switches: true"})
    CHECK(text.find(key) != std::string::npos);
}

TEST_CASE("awkward numbers and strings survive the round trip", "[scenario][round_trip]") {
  Scenario s = load_scenario(DATA + "/scenarios/base.yaml");
  s.description = "line one\nline \"two\"\twith a tab: and # no comment";
  s.name = "yes";                      // would be a boolean in YAML 1.1 if written plain
  s.actors[0].launch_cost = 0.1 + 0.2; // 0.30000000000000004
  s.actors[0].base_launch_growth = -1.0 / 3.0;
  s.resources[0].demand = 6.02214076e23;
  s.resources[1].stock_exponent = 5e-324; // the smallest subnormal
  s.output.all_variables = false;         // `none`
  s.integrator.locate_switches = false;   // both away from their defaults
  s.integrator.predict_switches = false;
  const Scenario again = load_scenario_from_string(to_yaml(s), "awkward.yaml");
  check_same(s, again);
}
