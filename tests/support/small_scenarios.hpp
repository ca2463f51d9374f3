// Small scenarios built in code, for tests that must not depend on the YAML
// layer. Each passes the configuration check (docs/model.md §10).
#pragma once

#include "core/params.hpp"

namespace arcm::testing {

//! One state and one firm (a launch provider) sharing one resource with a
//! backstop, over 2025–2045, yearly output.
inline Scenario two_actor_scenario() {
  Scenario s;
  s.name = "two_actor";
  s.start_year = 2025;
  s.end_year = 2045;
  s.jurisdictions.push_back({"home", false, 0.0, 0.0, 1.0, false});
  s.blocs = {"west"};

  Resource water;
  water.id = "water";
  water.demand = 1000;
  water.reference_price = 2.0;
  water.elasticity = 0.8;
  water.demand_growth = 0.03;
  water.has_backstop = true;
  water.backstop_price = 0.5;
  water.backstop_launch_mass = 1.0;
  water.stock = 1e6;
  water.min_stock = 1e3;
  water.stock_exponent = 0.5;
  water.extraction_cost = 0.3;
  water.transport_cost = 0.1;
  water.operations_mass = 0.02;
  water.hardware_cost = 2.0;
  water.plant_mass = 0.2;
  water.build_time = 3.0;
  water.depreciation = 0.05;
  water.entry_scale = 10.0;
  s.resources.push_back(water);

  Actor state;
  state.id = "agency";
  state.kind = ActorKind::state;
  state.jurisdiction = 0;
  state.bloc = 0;
  state.launch_cost = 8.0;
  state.launch_cost_floor = 1.0;
  state.progress_ratio = 0.85;
  state.launch_experience = 500;
  state.base_launch_mass = 20;
  state.budget = 5000;
  state.resource_budget_share = 0.05;
  state.strategic_value = 0.05;
  state.initial_capacity = {20.0};
  state.initial_pipeline = {0.0};

  Actor firm;
  firm.id = "launcher";
  firm.kind = ActorKind::firm;
  firm.jurisdiction = 0;
  firm.bloc = 0;
  firm.launch_cost = 2.0;
  firm.launch_cost_floor = 0.1;
  firm.progress_ratio = 0.8;
  firm.launch_experience = 5000;
  firm.launch_markup = 0.3;
  firm.launch_provider = true;
  firm.base_launch_mass = 1500;
  firm.base_launch_growth = 0.05;
  firm.budget = 300;
  firm.profit_reinvestment = 0.5;
  firm.discount_rate = 0.08;
  firm.initial_capacity = {0.0};
  firm.initial_pipeline = {5.0};
  s.actors = {state, firm};

  s.beneficiaries.push_back({"agency", 0.3, 0});
  s.beneficiaries.push_back({"others", 0.7, -1});

  s.regime.benefit_sharing_rate = 0.02;
  s.regime.scope = RegimeScope::universal;
  s.debris.initial = 36500;
  s.debris.reference = 36500;
  s.debris.saturation = 365000;
  s.debris.kessler_threshold = 3650000;
  s.debris.per_launched_tonne = 0.5;
  s.debris.collision_rate = 0.01;
  s.debris.decay_rate = 0.02;
  s.tension.inequality_weight = 0.3;
  s.integrator.relative_tolerance = 1e-8;
  s.integrator.absolute_tolerance = 1e-8;
  return s;
}

} // namespace arcm::testing
