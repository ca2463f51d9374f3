#include "scenario/parameter_path.hpp"

#include <cmath>
#include <map>
#include <vector>

#include "core/errors.hpp"

namespace arcm {

namespace {

// A numeric field of struct T: its unit, and a member pointer (or, for the
// few booleans, a flag saying so).
template <class T> struct Field {
  double T::*number{nullptr};
  bool T::*flag{nullptr};
  const char* units{"1"};
};

template <class T> using FieldTable = std::map<std::string, Field<T>>;

const FieldTable<Regime>& regime_fields() {
  static const FieldTable<Regime> table{
      {"property_security", {&Regime::property_security, nullptr, "1"}},
      {"safety_zone_exclusivity", {&Regime::safety_zone_exclusivity, nullptr, "1"}},
      {"benefit_sharing_rate", {&Regime::benefit_sharing_rate, nullptr, "1"}},
      {"cross_bloc_recognition", {&Regime::cross_bloc_recognition, nullptr, "1"}},
      {"debris_mitigation", {&Regime::debris_mitigation, nullptr, "1"}},
      {"cross_bloc_launch", {nullptr, &Regime::cross_bloc_launch, "1"}},
      {"spillover_within_bloc", {&Regime::spillover_within_bloc, nullptr, "1"}},
      {"spillover_across_blocs", {&Regime::spillover_across_blocs, nullptr, "1"}},
      {"asat_tests_per_tension", {&Regime::asat_tests_per_tension, nullptr, "tests/yr"}}};
  return table;
}

const FieldTable<Economy>& economy_fields() {
  static const FieldTable<Economy> table{
      {"social_discount_rate", {&Economy::social_discount_rate, nullptr, "1/yr"}},
      {"eligibility_band", {&Economy::eligibility_band, nullptr, "1"}},
      {"investment_saturation", {&Economy::investment_saturation, nullptr, "1"}},
      {"revenue_share_floor", {&Economy::revenue_share_floor, nullptr, "M$/yr"}},
      {"title_risk_premium", {&Economy::title_risk_premium, nullptr, "1/yr"}},
      {"tension_risk_premium", {&Economy::tension_risk_premium, nullptr, "1/yr"}},
      {"tension_cost_surcharge", {&Economy::tension_cost_surcharge, nullptr, "1"}},
      {"debris_launch_surcharge", {&Economy::debris_launch_surcharge, nullptr, "1"}},
      {"mitigation_cost", {&Economy::mitigation_cost, nullptr, "1"}},
      {"debris_capacity_loss", {&Economy::debris_capacity_loss, nullptr, "1/yr"}}};
  return table;
}

const FieldTable<Debris>& debris_fields() {
  static const FieldTable<Debris> table{
      {"initial", {&Debris::initial, nullptr, "count"}},
      {"reference", {&Debris::reference, nullptr, "count"}},
      {"saturation", {&Debris::saturation, nullptr, "count"}},
      {"kessler_threshold", {&Debris::kessler_threshold, nullptr, "count"}},
      {"per_launched_tonne", {&Debris::per_launched_tonne, nullptr, "count/t"}},
      {"collision_rate", {&Debris::collision_rate, nullptr, "1/yr"}},
      {"decay_rate", {&Debris::decay_rate, nullptr, "1/yr"}},
      {"per_asat_test", {&Debris::per_asat_test, nullptr, "count"}}};
  return table;
}

const FieldTable<Tension>& tension_fields() {
  static const FieldTable<Tension> table{{"initial", {&Tension::initial, nullptr, "1"}},
                                         {"base", {&Tension::base, nullptr, "1"}},
                                         {"inequality_weight", {&Tension::inequality_weight, nullptr, "1"}},
                                         {"claims_weight", {&Tension::claims_weight, nullptr, "1"}},
                                         {"adjustment_time", {&Tension::adjustment_time, nullptr, "yr"}}};
  return table;
}

const FieldTable<IntegratorSettings>& integrator_fields() {
  static const FieldTable<IntegratorSettings> table{
      {"relative_tolerance", {&IntegratorSettings::relative_tolerance, nullptr, "1"}},
      {"absolute_tolerance", {&IntegratorSettings::absolute_tolerance, nullptr, "1"}},
      {"initial_step", {&IntegratorSettings::initial_step, nullptr, "yr"}}};
  return table;
}

const FieldTable<Actor>& actor_fields() {
  static const FieldTable<Actor> table{
      {"launch_cost", {&Actor::launch_cost, nullptr, "M$/t"}},
      {"launch_cost_floor", {&Actor::launch_cost_floor, nullptr, "M$/t"}},
      {"progress_ratio", {&Actor::progress_ratio, nullptr, "1"}},
      {"launch_experience", {&Actor::launch_experience, nullptr, "t"}},
      {"launch_markup", {&Actor::launch_markup, nullptr, "1"}},
      {"launch_provider", {nullptr, &Actor::launch_provider, "1"}},
      {"base_launch_mass", {&Actor::base_launch_mass, nullptr, "t/yr"}},
      {"base_launch_growth", {&Actor::base_launch_growth, nullptr, "1/yr"}},
      {"budget", {&Actor::budget, nullptr, "M$/yr"}},
      {"resource_budget_share", {&Actor::resource_budget_share, nullptr, "1"}},
      {"budget_growth", {&Actor::budget_growth, nullptr, "1/yr"}},
      {"profit_reinvestment", {&Actor::profit_reinvestment, nullptr, "1"}},
      {"discount_rate", {&Actor::discount_rate, nullptr, "1/yr"}},
      {"adjustment_speed", {&Actor::adjustment_speed, nullptr, "1/yr"}},
      {"strategic_value", {&Actor::strategic_value, nullptr, "1/yr"}},
      {"cost_efficiency", {&Actor::cost_efficiency, nullptr, "1"}}};
  return table;
}

const FieldTable<Resource>& resource_fields() {
  static const FieldTable<Resource> table{
      {"demand", {&Resource::demand, nullptr, "t/yr"}},
      {"reference_price", {&Resource::reference_price, nullptr, "M$/t"}},
      {"elasticity", {&Resource::elasticity, nullptr, "1"}},
      {"demand_growth", {&Resource::demand_growth, nullptr, "1/yr"}},
      {"fringe_supply", {&Resource::fringe_supply, nullptr, "t/yr"}},
      {"fringe_elasticity", {&Resource::fringe_elasticity, nullptr, "1"}},
      {"stock", {&Resource::stock, nullptr, "t"}},
      {"min_stock", {&Resource::min_stock, nullptr, "t"}},
      {"stock_exponent", {&Resource::stock_exponent, nullptr, "1"}},
      {"regeneration_rate", {&Resource::regeneration_rate, nullptr, "1/yr"}},
      {"stock_capacity", {&Resource::stock_capacity, nullptr, "t"}},
      {"extraction_cost", {&Resource::extraction_cost, nullptr, "M$/t"}},
      {"transport_cost", {&Resource::transport_cost, nullptr, "M$/t"}},
      {"operations_mass", {&Resource::operations_mass, nullptr, "1/yr"}},
      {"hardware_cost", {&Resource::hardware_cost, nullptr, "M$ yr/t"}},
      {"plant_mass", {&Resource::plant_mass, nullptr, "yr"}},
      {"build_time", {&Resource::build_time, nullptr, "yr"}},
      {"depreciation", {&Resource::depreciation, nullptr, "1/yr"}},
      {"entry_scale", {&Resource::entry_scale, nullptr, "t/yr"}}};
  return table;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '.') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

template <class T> std::string known_keys(const FieldTable<T>& table) {
  std::string text;
  for (const auto& entry : table) text += (text.empty() ? "" : ", ") + entry.first;
  return text;
}

template <class Item> int find_id(const std::vector<Item>& items, const std::string& id) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == id) return static_cast<int>(i);
  return -1;
}

template <class Item> std::string ids(const std::vector<Item>& items) {
  std::string text;
  for (const Item& item : items) text += (text.empty() ? "" : ", ") + item.id;
  return text;
}

} // namespace

ParameterPath ParameterPath::resolve(const Scenario& s, const std::string& path) {
  ParameterPath p;
  p.path_ = path;
  const std::vector<std::string> parts = split(path);
  auto fail = [&](const std::string& why) -> void { throw Error("parameter '" + path + "': " + why); };

  // A field of a struct reached by `locate`, looked up in `table`.
  auto bind = [&](const auto& table, const std::string& key, auto locate) {
    const auto found = table.find(key);
    if (found == table.end())
      fail("unknown or not sweepable key '" + key + "'; sweepable here: " + known_keys(table));
    const auto field = found->second;
    p.units_ = field.units;
    if (field.number != nullptr) {
      p.setter_ = [locate, field](Scenario& sc, double v) { locate(sc).*(field.number) = v; };
      p.getter_ = [locate, field](const Scenario& sc) {
        return locate(const_cast<Scenario&>(sc)).*(field.number);
      };
    } else {
      p.boolean_ = true;
      p.setter_ = [locate, field](Scenario& sc, double v) { locate(sc).*(field.flag) = v != 0.0; };
      p.getter_ = [locate, field](const Scenario& sc) {
        return (locate(const_cast<Scenario&>(sc)).*(field.flag)) ? 1.0 : 0.0;
      };
    }
  };

  const std::string& section = parts[0];
  if (section == "legal" && parts.size() == 2) {
    if (parts[1] == "regime_scope") {
      p.boolean_ = true;
      p.setter_ = [](Scenario& sc, double v) {
        sc.regime.scope = v != 0.0 ? RegimeScope::universal : RegimeScope::parties;
      };
      p.getter_ = [](const Scenario& sc) { return sc.regime.scope == RegimeScope::universal ? 1.0 : 0.0; };
      return p;
    }
    bind(regime_fields(), parts[1], [](Scenario& sc) -> Regime& { return sc.regime; });
  } else if (section == "economy" && parts.size() == 2) {
    bind(economy_fields(), parts[1], [](Scenario& sc) -> Economy& { return sc.economy; });
  } else if (section == "debris" && parts.size() == 2) {
    bind(debris_fields(), parts[1], [](Scenario& sc) -> Debris& { return sc.debris; });
  } else if (section == "tension" && parts.size() == 2) {
    bind(tension_fields(), parts[1], [](Scenario& sc) -> Tension& { return sc.tension; });
  } else if (section == "integrator" && parts.size() == 2) {
    bind(integrator_fields(), parts[1], [](Scenario& sc) -> IntegratorSettings& { return sc.integrator; });
  } else if (section == "actors" && parts.size() >= 3) {
    const int i = find_id(s.actors, parts[1]);
    if (i < 0) fail("unknown actor '" + parts[1] + "'; actors: " + ids(s.actors));
    const auto index = static_cast<std::size_t>(i);
    if ((parts[2] == "initial_capacity" || parts[2] == "initial_pipeline") && parts.size() == 4) {
      const int k = find_id(s.resources, parts[3]);
      if (k < 0) fail("unknown resource '" + parts[3] + "'; resources: " + ids(s.resources));
      const auto member =
          parts[2] == "initial_capacity" ? &Actor::initial_capacity : &Actor::initial_pipeline;
      const auto resource = static_cast<std::size_t>(k);
      p.units_ = "t/yr";
      p.setter_ = [index, member, resource](Scenario& sc, double v) {
        (sc.actors[index].*member)[resource] = v;
      };
      p.getter_ = [index, member, resource](const Scenario& sc) {
        return (sc.actors[index].*member)[resource];
      };
      return p;
    }
    if (parts.size() != 3) fail("an actor parameter is actors.ID.KEY");
    bind(actor_fields(), parts[2], [index](Scenario& sc) -> Actor& { return sc.actors[index]; });
  } else if (section == "resources" && parts.size() >= 3) {
    const int k = find_id(s.resources, parts[1]);
    if (k < 0) fail("unknown resource '" + parts[1] + "'; resources: " + ids(s.resources));
    const auto index = static_cast<std::size_t>(k);
    if (parts[2] == "backstop" && parts.size() == 4) {
      if (!s.resources[index].has_backstop) fail("resource '" + parts[1] + "' has no backstop");
      if (parts[3] != "price" && parts[3] != "launch_mass") fail("a backstop has `price` and `launch_mass`");
      const bool price = parts[3] == "price";
      p.units_ = price ? "M$/t" : "1";
      p.setter_ = [index, price](Scenario& sc, double v) {
        (price ? sc.resources[index].backstop_price : sc.resources[index].backstop_launch_mass) = v;
      };
      p.getter_ = [index, price](const Scenario& sc) {
        return price ? sc.resources[index].backstop_price : sc.resources[index].backstop_launch_mass;
      };
      return p;
    }
    if (parts.size() != 3) fail("a resource parameter is resources.ID.KEY");
    bind(resource_fields(), parts[2], [index](Scenario& sc) -> Resource& { return sc.resources[index]; });
  } else if (section == "jurisdictions" && parts.size() == 3) {
    const int j = find_id(s.jurisdictions, parts[1]);
    if (j < 0) fail("unknown jurisdiction '" + parts[1] + "'; jurisdictions: " + ids(s.jurisdictions));
    const auto index = static_cast<std::size_t>(j);
    const std::string key = parts[2];
    if (key == "domestic_property_security") {
      // Setting a value enacts a domestic law; NaN repeals it.
      p.setter_ = [index](Scenario& sc, double v) {
        sc.jurisdictions[index].has_domestic_law = !std::isnan(v);
        sc.jurisdictions[index].domestic_property_security = std::isnan(v) ? 0.0 : v;
      };
      p.getter_ = [index](const Scenario& sc) {
        const Jurisdiction& jd = sc.jurisdictions[index];
        return jd.has_domestic_law ? jd.domestic_property_security : NOT_SET;
      };
    } else if (key == "licensing_fee_share" || key == "licensing_delay") {
      const auto member =
          key == "licensing_fee_share" ? &Jurisdiction::licensing_fee_share : &Jurisdiction::licensing_delay;
      p.units_ = key == "licensing_delay" ? "yr" : "1";
      p.setter_ = [index, member](Scenario& sc, double v) { sc.jurisdictions[index].*member = v; };
      p.getter_ = [index, member](const Scenario& sc) { return sc.jurisdictions[index].*member; };
    } else if (key == "party_to_regime") {
      p.boolean_ = true;
      p.setter_ = [index](Scenario& sc, double v) { sc.jurisdictions[index].party_to_regime = v != 0.0; };
      p.getter_ = [index](const Scenario& sc) { return sc.jurisdictions[index].party_to_regime ? 1.0 : 0.0; };
    } else {
      fail("unknown jurisdiction key '" + key +
           "'; sweepable: domestic_property_security, licensing_fee_share, licensing_delay, party_to_regime");
    }
  } else if (section.rfind("schedule[", 0) == 0 && section.back() == ']') {
    const std::string digits = section.substr(9, section.size() - 10);
    std::size_t event = 0;
    try {
      std::size_t used = 0;
      event = static_cast<std::size_t>(std::stoul(digits, &used));
      if (used != digits.size()) throw std::invalid_argument(digits);
    } catch (const std::exception&) {
      fail("expected schedule[N] with a whole number N");
    }
    if (event >= s.schedule.size())
      fail(s.schedule.empty() ? std::string("the scenario has no schedule events")
                              : "the scenario has " + std::to_string(s.schedule.size()) +
                                    " schedule events, schedule[0] to schedule[" +
                                    std::to_string(s.schedule.size() - 1) + "]");
    if (parts.size() == 2 && parts[1] == "year") {
      p.units_ = "yr";
      p.setter_ = [event](Scenario& sc, double v) { sc.schedule[event].year = v; };
      p.getter_ = [event](const Scenario& sc) { return sc.schedule[event].year; };
    } else if (parts.size() == 3 && parts[1] == "set") {
      const auto& changes = s.schedule[event].changes;
      std::size_t change = changes.size();
      for (std::size_t c = 0; c < changes.size(); ++c)
        if (changes[c].key == parts[2]) change = c;
      if (change == changes.size()) fail("schedule[" + digits + "] does not set '" + parts[2] + "'");
      p.boolean_ =
          parts[2] == "cross_bloc_launch" || parts[2] == "regime_scope" || parts[2] == "party_to_regime";
      p.setter_ = [event, change](Scenario& sc, double v) { sc.schedule[event].changes[change].value = v; };
      p.getter_ = [event, change](const Scenario& sc) { return sc.schedule[event].changes[change].value; };
    } else {
      fail("a schedule parameter is schedule[N].year or schedule[N].set.KEY");
    }
  } else {
    fail("expected legal.KEY, economy.KEY, debris.KEY, tension.KEY, integrator.KEY, actors.ID.KEY, "
         "resources.ID.KEY, jurisdictions.ID.KEY, schedule[N].year or schedule[N].set.KEY");
  }
  return p;
}

} // namespace arcm
