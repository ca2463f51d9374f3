#include "scenario/schema.hpp"

#include "core/schedule.hpp"

namespace arcm::schema {

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> keys{
      "extends", "name",  "description",   "time",  "integrator", "output",    "economy",       "debris",
      "tension", "legal", "jurisdictions", "blocs", "actors",     "resources", "beneficiaries", "schedule"};
  return keys;
}

const std::vector<std::string>& time_keys() {
  static const std::vector<std::string> keys{"start", "end"};
  return keys;
}

const std::vector<std::string>& integrator_keys() {
  static const std::vector<std::string> keys{"stepper",         "relative_tolerance", "absolute_tolerance",
                                             "initial_step",    "max_steps",          "locate_switches",
                                             "predict_switches"};
  return keys;
}

const std::vector<std::string>& output_keys() {
  static const std::vector<std::string> keys{"step", "variables", "precision", "compression"};
  return keys;
}

const std::vector<std::string>& economy_keys() {
  static const std::vector<std::string> keys{
      "social_discount_rate", "eligibility_band",     "investment_saturation",  "revenue_share_floor",
      "title_risk_premium",   "tension_risk_premium", "tension_cost_surcharge", "debris_launch_surcharge",
      "mitigation_cost",      "debris_capacity_loss"};
  return keys;
}

const std::vector<std::string>& debris_keys() {
  static const std::vector<std::string> keys{"initial",           "reference",          "saturation",
                                             "kessler_threshold", "per_launched_tonne", "collision_rate",
                                             "decay_rate",        "per_asat_test"};
  return keys;
}

const std::vector<std::string>& tension_keys() {
  static const std::vector<std::string> keys{"initial", "base", "inequality_weight", "claims_weight",
                                             "adjustment_time"};
  return keys;
}

const std::vector<std::string>& jurisdiction_keys() {
  return jurisdiction_event_keys();
}

const std::vector<std::string>& actor_keys() {
  static const std::vector<std::string> keys{"kind",
                                             "jurisdiction",
                                             "bloc",
                                             "launch_cost",
                                             "launch_cost_floor",
                                             "progress_ratio",
                                             "launch_experience",
                                             "launch_markup",
                                             "launch_provider",
                                             "base_launch_mass",
                                             "base_launch_growth",
                                             "budget",
                                             "resource_budget_share",
                                             "budget_growth",
                                             "profit_reinvestment",
                                             "discount_rate",
                                             "adjustment_speed",
                                             "strategic_value",
                                             "cost_efficiency",
                                             "initial_capacity",
                                             "initial_pipeline"};
  return keys;
}

const std::vector<std::string>& resource_keys() {
  static const std::vector<std::string> keys{"description",       "demand",          "reference_price",
                                             "elasticity",        "demand_growth",   "fringe_supply",
                                             "fringe_elasticity", "backstop",        "stock",
                                             "min_stock",         "stock_exponent",  "regeneration_rate",
                                             "stock_capacity",    "extraction_cost", "transport_cost",
                                             "operations_mass",   "hardware_cost",   "plant_mass",
                                             "build_time",        "depreciation",    "entry_scale"};
  return keys;
}

const std::vector<std::string>& backstop_keys() {
  static const std::vector<std::string> keys{"price", "launch_mass"};
  return keys;
}

const std::vector<std::string>& beneficiary_keys() {
  static const std::vector<std::string> keys{"weight"};
  return keys;
}

const std::vector<std::string>& event_keys() {
  static const std::vector<std::string> keys{"year", "jurisdiction", "set"};
  return keys;
}

ValueKind value_kind(const std::string& key) {
  if (key == "regime_scope") return ValueKind::regime_scope;
  if (key == "cross_bloc_launch" || key == "party_to_regime") return ValueKind::boolean;
  if (key == "domestic_property_security") return ValueKind::optional_number;
  return ValueKind::number;
}

} // namespace arcm::schema
