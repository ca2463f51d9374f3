// to_yaml: a scenario back to text. Written by hand rather than with
// YAML::Emitter so that numbers get round-trip precision in their shortest
// form and the layout (block style, schema order) is fixed.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "scenario/loader.hpp"

namespace arcm {

namespace {

// The shortest %g form that reads back as exactly `value`; whole numbers of
// moderate size are written without an exponent (3650000, not 3.65e+06).
std::string number_text(double value) {
  char buffer[40];
  if (value == std::trunc(value) && std::abs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return value == 0 ? "0" : buffer; // "0", never "-0"
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += escape;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

// Ids are restricted to [A-Za-z0-9_-] by the loader, but a plain `null` or
// `~` key would read back as a null key, so those are quoted.
std::string key_text(const std::string& id) {
  if (id == "null" || id == "Null" || id == "NULL" || id == "~") return quoted(id);
  return id;
}

class Writer {
public:
  void section(int indent, const std::string& key) { line(indent) << key << ":\n"; }
  void number(int indent, const std::string& key, double value) {
    line(indent) << key << ": " << (std::isnan(value) ? "null" : number_text(value)) << "\n";
  }
  void boolean(int indent, const std::string& key, bool value) {
    line(indent) << key << ": " << (value ? "true" : "false") << "\n";
  }
  void string(int indent, const std::string& key, const std::string& value) {
    line(indent) << key << ": " << quoted(value) << "\n";
  }
  void word(int indent, const std::string& key, const std::string& value) {
    line(indent) << key << ": " << value << "\n";
  }
  void item(int indent, const std::string& value) { line(indent) << "- " << value << "\n"; }
  std::string text() const { return out_.str(); }

private:
  std::ostringstream& line(int indent) {
    out_ << std::string(static_cast<std::size_t>(2 * indent), ' ');
    return out_;
  }
  std::ostringstream out_;
};

void write_regime(Writer& w, const Regime& r) {
  w.section(0, "legal");
  w.number(1, "property_security", r.property_security);
  w.number(1, "safety_zone_exclusivity", r.safety_zone_exclusivity);
  w.number(1, "benefit_sharing_rate", r.benefit_sharing_rate);
  w.word(1, "regime_scope", r.scope == RegimeScope::universal ? "universal" : "parties");
  w.number(1, "cross_bloc_recognition", r.cross_bloc_recognition);
  w.number(1, "debris_mitigation", r.debris_mitigation);
  w.boolean(1, "cross_bloc_launch", r.cross_bloc_launch);
  w.number(1, "spillover_within_bloc", r.spillover_within_bloc);
  w.number(1, "spillover_across_blocs", r.spillover_across_blocs);
  w.number(1, "asat_tests_per_tension", r.asat_tests_per_tension);
}

void write_globals(Writer& w, const Scenario& s) {
  const Economy& e = s.economy;
  w.section(0, "economy");
  w.number(1, "social_discount_rate", e.social_discount_rate);
  w.number(1, "eligibility_band", e.eligibility_band);
  w.number(1, "investment_saturation", e.investment_saturation);
  w.number(1, "revenue_share_floor", e.revenue_share_floor);
  w.number(1, "title_risk_premium", e.title_risk_premium);
  w.number(1, "tension_risk_premium", e.tension_risk_premium);
  w.number(1, "tension_cost_surcharge", e.tension_cost_surcharge);
  w.number(1, "debris_launch_surcharge", e.debris_launch_surcharge);
  w.number(1, "mitigation_cost", e.mitigation_cost);
  w.number(1, "debris_capacity_loss", e.debris_capacity_loss);

  const Debris& d = s.debris;
  w.section(0, "debris");
  w.number(1, "initial", d.initial);
  w.number(1, "reference", d.reference);
  w.number(1, "saturation", d.saturation);
  w.number(1, "kessler_threshold", d.kessler_threshold);
  w.number(1, "per_launched_tonne", d.per_launched_tonne);
  w.number(1, "collision_rate", d.collision_rate);
  w.number(1, "decay_rate", d.decay_rate);
  w.number(1, "per_asat_test", d.per_asat_test);

  const Tension& t = s.tension;
  w.section(0, "tension");
  w.number(1, "initial", t.initial);
  w.number(1, "base", t.base);
  w.number(1, "inequality_weight", t.inequality_weight);
  w.number(1, "claims_weight", t.claims_weight);
  w.number(1, "adjustment_time", t.adjustment_time);

  write_regime(w, s.regime);
}

void write_jurisdictions(Writer& w, const Scenario& s) {
  if (s.jurisdictions.empty()) return w.word(0, "jurisdictions", "{}");
  w.section(0, "jurisdictions");
  for (const Jurisdiction& j : s.jurisdictions) {
    w.section(1, key_text(j.id));
    w.number(2, "domestic_property_security", j.has_domestic_law ? j.domestic_property_security : NOT_SET);
    w.number(2, "licensing_fee_share", j.licensing_fee_share);
    w.number(2, "licensing_delay", j.licensing_delay);
    w.boolean(2, "party_to_regime", j.party_to_regime);
  }
}

void write_per_resource(Writer& w, const char* key, const std::vector<double>& values, const Scenario& s) {
  if (s.resources.empty()) return w.word(2, key, "{}");
  w.section(2, key);
  for (std::size_t k = 0; k < s.resources.size(); ++k)
    w.number(3, key_text(s.resources[k].id), k < values.size() ? values[k] : 0.0);
}

void write_actors(Writer& w, const Scenario& s) {
  if (s.actors.empty()) return w.word(0, "actors", "{}");
  w.section(0, "actors");
  for (const Actor& a : s.actors) {
    w.section(1, key_text(a.id));
    w.word(2, "kind", a.kind == ActorKind::state ? "state" : "firm");
    const bool known_jurisdiction =
        a.jurisdiction >= 0 && a.jurisdiction < static_cast<int>(s.jurisdictions.size());
    w.string(2, "jurisdiction",
             known_jurisdiction ? s.jurisdictions[static_cast<std::size_t>(a.jurisdiction)].id : "");
    const bool has_bloc = a.bloc >= 0 && a.bloc < static_cast<int>(s.blocs.size());
    w.string(2, "bloc", has_bloc ? s.blocs[static_cast<std::size_t>(a.bloc)] : "");
    w.number(2, "launch_cost", a.launch_cost);
    w.number(2, "launch_cost_floor", a.launch_cost_floor);
    w.number(2, "progress_ratio", a.progress_ratio);
    w.number(2, "launch_experience", a.launch_experience);
    w.number(2, "launch_markup", a.launch_markup);
    w.boolean(2, "launch_provider", a.launch_provider);
    w.number(2, "base_launch_mass", a.base_launch_mass);
    w.number(2, "base_launch_growth", a.base_launch_growth);
    w.number(2, "budget", a.budget);
    w.number(2, "resource_budget_share", a.resource_budget_share);
    w.number(2, "budget_growth", a.budget_growth);
    w.number(2, "profit_reinvestment", a.profit_reinvestment);
    w.number(2, "discount_rate", a.discount_rate);
    w.number(2, "adjustment_speed", a.adjustment_speed);
    w.number(2, "strategic_value", a.strategic_value);
    w.number(2, "cost_efficiency", a.cost_efficiency);
    write_per_resource(w, "initial_capacity", a.initial_capacity, s);
    write_per_resource(w, "initial_pipeline", a.initial_pipeline, s);
  }
}

void write_resources(Writer& w, const Scenario& s) {
  if (s.resources.empty()) return w.word(0, "resources", "{}");
  w.section(0, "resources");
  for (const Resource& k : s.resources) {
    w.section(1, key_text(k.id));
    w.string(2, "description", k.description);
    w.number(2, "demand", k.demand);
    w.number(2, "reference_price", k.reference_price);
    w.number(2, "elasticity", k.elasticity);
    w.number(2, "demand_growth", k.demand_growth);
    w.number(2, "fringe_supply", k.fringe_supply);
    w.number(2, "fringe_elasticity", k.fringe_elasticity);
    if (k.has_backstop) {
      w.section(2, "backstop");
      w.number(3, "price", k.backstop_price);
      w.number(3, "launch_mass", k.backstop_launch_mass);
    } else {
      w.word(2, "backstop", "none");
    }
    w.number(2, "stock", k.stock);
    w.number(2, "min_stock", k.min_stock);
    w.number(2, "stock_exponent", k.stock_exponent);
    w.number(2, "regeneration_rate", k.regeneration_rate);
    w.number(2, "stock_capacity", k.stock_capacity);
    w.number(2, "extraction_cost", k.extraction_cost);
    w.number(2, "transport_cost", k.transport_cost);
    w.number(2, "operations_mass", k.operations_mass);
    w.number(2, "hardware_cost", k.hardware_cost);
    w.number(2, "plant_mass", k.plant_mass);
    w.number(2, "build_time", k.build_time);
    w.number(2, "depreciation", k.depreciation);
    w.number(2, "entry_scale", k.entry_scale);
  }
}

void write_beneficiaries(Writer& w, const Scenario& s) {
  if (s.beneficiaries.empty()) return w.word(0, "beneficiaries", "{}");
  w.section(0, "beneficiaries");
  for (const Beneficiary& b : s.beneficiaries) {
    w.section(1, key_text(b.id));
    w.number(2, "weight", b.weight);
  }
}

void write_change(Writer& w, const ParameterChange& change) {
  if (change.key == "regime_scope")
    return w.word(3, change.key, change.value != 0.0 ? "universal" : "parties");
  if (change.key == "cross_bloc_launch" || change.key == "party_to_regime")
    return w.boolean(3, change.key, change.value != 0.0);
  w.number(3, change.key, change.value); // NaN (repeal a domestic law) is written as null
}

void write_schedule(Writer& w, const Scenario& s) {
  if (s.schedule.empty()) return w.word(0, "schedule", "[]");
  w.section(0, "schedule");
  for (const ScheduleEvent& event : s.schedule) {
    w.word(1, "- year", number_text(event.year));
    if (event.target == ScheduleEvent::Target::all_jurisdictions) {
      w.string(2, "jurisdiction", "*");
    } else if (event.target == ScheduleEvent::Target::one_jurisdiction) {
      const bool known =
          event.jurisdiction >= 0 && event.jurisdiction < static_cast<int>(s.jurisdictions.size());
      w.string(2, "jurisdiction",
               known ? s.jurisdictions[static_cast<std::size_t>(event.jurisdiction)].id : "");
    }
    w.section(2, "set");
    for (const ParameterChange& change : event.changes) write_change(w, change);
  }
}

} // namespace

std::string yaml_quoted(const std::string& text) {
  return quoted(text);
}

std::string to_yaml(const Scenario& s) {
  Writer w;
  w.string(0, "name", s.name);
  w.string(0, "description", s.description);
  w.section(0, "time");
  w.number(1, "start", s.start_year);
  w.number(1, "end", s.end_year);

  w.section(0, "integrator");
  w.string(1, "stepper", s.integrator.stepper);
  w.number(1, "relative_tolerance", s.integrator.relative_tolerance);
  w.number(1, "absolute_tolerance", s.integrator.absolute_tolerance);
  w.number(1, "initial_step", s.integrator.initial_step);
  w.word(1, "max_steps", std::to_string(s.integrator.max_steps));
  w.boolean(1, "locate_switches", s.integrator.locate_switches);
  w.boolean(1, "predict_switches", s.integrator.predict_switches);

  w.section(0, "output");
  w.number(1, "step", s.output.step);
  if (s.output.all_variables) {
    w.word(1, "variables", "all");
  } else if (s.output.variables.empty()) {
    w.word(1, "variables", "none");
  } else {
    w.section(1, "variables");
    for (const std::string& name : s.output.variables) w.item(2, quoted(name));
  }
  w.word(1, "precision", s.output.single_precision ? "float32" : "float64");
  w.word(1, "compression", s.output.compress ? "deflate" : "none");

  write_globals(w, s);
  write_jurisdictions(w, s);
  write_resources(w, s);
  if (s.blocs.empty()) {
    w.word(0, "blocs", "[]");
  } else {
    w.section(0, "blocs");
    for (const std::string& bloc : s.blocs) w.item(1, quoted(bloc));
  }
  write_actors(w, s);
  write_beneficiaries(w, s);
  write_schedule(w, s);
  return w.text();
}

} // namespace arcm
