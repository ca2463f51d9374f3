#include "scenario/loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/errors.hpp"
#include "core/schedule.hpp"
#include "dynamics/outputs.hpp"
#include "scenario/config_tree.hpp"
#include "scenario/schema.hpp"
#include "scenario/validation.hpp"

namespace arcm {

namespace {

using Kind = ConfigNode::Kind;

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string list_words(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text.empty() ? "(none)" : text;
}

// Every key and list item of the merged tree, by dotted path, so that checks
// made later on the typed structs can still point at a line.
void record_locations(const ConfigNode& node, const std::string& path, SourceMap& where) {
  for (const ConfigEntry& entry : node.entries) {
    const std::string entry_path = join(path, entry.key);
    where.add(entry_path, entry.key_where);
    record_locations(entry.value, entry_path, where);
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    where.add(item_path, node.items[i].where);
    record_locations(node.items[i], item_path, where);
  }
}

std::string describe(const ConfigNode& value) {
  switch (value.kind) {
  case Kind::null: return "no value (null)";
  case Kind::sequence: return "a list";
  case Kind::map: return "a map";
  case Kind::scalar: break;
  }
  return value.quoted ? "the quoted string \"" + value.text + "\"" : "'" + value.text + "'";
}

// Typed access to the merged tree. Every failure goes through the SourceMap,
// so it names the dotted key and the file and line that key came from.
class Reader {
public:
  explicit Reader(const SourceMap& where) : where_(where) { empty_map_.kind = Kind::map; }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const { where_.fail(path, what); }

  //! The map at `path`; an empty value (`legal:` with nothing under it) counts as an empty map.
  const ConfigNode& map(const ConfigNode& node, const std::string& path) const {
    if (node.kind == Kind::null) return empty_map_;
    if (!node.is_map()) fail(path, "expected a map of keys, got " + describe(node));
    return node;
  }

  //! Refuse any key of `node` that is not in `allowed`, suggesting the nearest.
  void only_keys(const ConfigNode& node, const std::string& path,
                 const std::vector<std::string>& allowed) const {
    for (const ConfigEntry& entry : node.entries) {
      if (std::find(allowed.begin(), allowed.end(), entry.key) != allowed.end()) continue;
      const std::string suggestion = nearest_word(entry.key, allowed);
      fail(join(path, entry.key), "unknown key" +
                                      (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                                      "; allowed here: " + list_words(allowed));
    }
  }

  void require(const ConfigNode& node, const std::string& path, const std::vector<std::string>& keys) const {
    for (const std::string& key : keys)
      if (node.find(key) == nullptr)
        fail(join(path, key),
             "required key is missing from '" + (path.empty() ? "the scenario" : path) + "'");
  }

  double number(const ConfigNode& value, const std::string& path) const {
    if (value.kind == Kind::scalar && !value.quoted && !value.text.empty()) {
      const char* begin = value.text.c_str();
      char* end = nullptr;
      const double parsed = std::strtod(begin, &end);
      if (end != begin && *end == '\0' && std::isfinite(parsed)) return parsed;
    }
    fail(path, "expected a finite number, got " + describe(value));
  }

  long integer(const ConfigNode& value, const std::string& path) const {
    if (value.kind == Kind::scalar && !value.quoted && !value.text.empty()) {
      const char* begin = value.text.c_str();
      char* end = nullptr;
      const long long parsed = std::strtoll(begin, &end, 10);
      if (end != begin && *end == '\0' && parsed <= std::numeric_limits<long>::max() &&
          parsed >= std::numeric_limits<long>::min())
        return static_cast<long>(parsed);
    }
    fail(path, "expected a whole number, got " + describe(value));
  }

  // YAML 1.1 would also take yes/no/on/off; a scenario takes only true/false,
  // so that `no` (say, a country code) is never read as a boolean.
  bool boolean(const ConfigNode& value, const std::string& path) const {
    if (value.kind == Kind::scalar && !value.quoted) {
      if (value.text == "true") return true;
      if (value.text == "false") return false;
    }
    fail(path, "expected true or false, got " + describe(value));
  }

  //! A string; an empty value reads as "".
  std::string text(const ConfigNode& value, const std::string& path) const {
    if (value.kind == Kind::null) return "";
    if (value.kind != Kind::scalar) fail(path, "expected a string, got " + describe(value));
    return value.text;
  }

  //! One of `choices`, written plain or quoted.
  std::string choice(const ConfigNode& value, const std::string& path,
                     const std::vector<std::string>& choices) const {
    if (value.kind == Kind::scalar && std::find(choices.begin(), choices.end(), value.text) != choices.end())
      return value.text;
    fail(path, "expected one of " + list_words(choices) + ", got " + describe(value));
  }

  // Read `key` of `node` into `target` when present (the default stays otherwise).
  void read(const ConfigNode& node, const std::string& path, const char* key, double& target) const {
    if (const ConfigEntry* entry = node.find(key)) target = number(entry->value, join(path, key));
  }
  void read(const ConfigNode& node, const std::string& path, const char* key, bool& target) const {
    if (const ConfigEntry* entry = node.find(key)) target = boolean(entry->value, join(path, key));
  }
  void read(const ConfigNode& node, const std::string& path, const char* key, std::string& target) const {
    if (const ConfigEntry* entry = node.find(key)) target = text(entry->value, join(path, key));
  }
  void read(const ConfigNode& node, const std::string& path, const char* key, long& target) const {
    if (const ConfigEntry* entry = node.find(key)) target = integer(entry->value, join(path, key));
  }
  //! A number whose default is "not set": null keeps it unset.
  void read_optional(const ConfigNode& node, const std::string& path, const char* key, double& target) const {
    const ConfigEntry* entry = node.find(key);
    if (entry == nullptr) return;
    target = entry->value.kind == Kind::null ? NOT_SET : number(entry->value, join(path, key));
  }

  //! A value of `legal` or of a jurisdiction as the double a ParameterChange holds.
  double change_value(const std::string& key, const ConfigNode& value, const std::string& path) const {
    switch (schema::value_kind(key)) {
    case schema::ValueKind::boolean: return boolean(value, path) ? 1.0 : 0.0;
    case schema::ValueKind::regime_scope:
      return choice(value, path, {"parties", "universal"}) == "universal" ? 1.0 : 0.0;
    case schema::ValueKind::optional_number: return value.kind == Kind::null ? NOT_SET : number(value, path);
    case schema::ValueKind::number: break;
    }
    return number(value, path);
  }

  //! Ids are map keys that other keys refer to, and `*` means "every
  //! jurisdiction" in the schedule, so they are kept to plain names.
  void check_id(const std::string& id, const std::string& path) const {
    const bool plain = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
             c == '-';
    });
    if (!plain) fail(path, "an id may use only letters, digits, '_' and '-', got '" + id + "'");
  }

private:
  const SourceMap& where_;
  ConfigNode empty_map_;
};

template <class Item> int index_of(const std::vector<Item>& items, const std::string& id) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == id) return static_cast<int>(i);
  return -1;
}

template <class Item> std::vector<std::string> ids_of(const std::vector<Item>& items) {
  std::vector<std::string> ids;
  for (const Item& item : items) ids.push_back(item.id);
  return ids;
}

//! "unknown X 'id'" with the nearest known id, or the list of known ids.
std::string unknown_reference(const char* what, const std::string& id,
                              const std::vector<std::string>& known) {
  const std::string suggestion = nearest_word(id, known);
  return std::string("unknown ") + what + " '" + id + "'" +
         (suggestion.empty() ? "; known: " + list_words(known) : "; did you mean '" + suggestion + "'?");
}

void read_time_and_numerics(const Reader& in, const ConfigNode& root, Scenario& s) {
  if (const ConfigEntry* time = root.find("time")) {
    const ConfigNode& node = in.map(time->value, "time");
    in.only_keys(node, "time", schema::time_keys());
    in.read(node, "time", "start", s.start_year);
    in.read(node, "time", "end", s.end_year);
  }
  if (const ConfigEntry* integrator = root.find("integrator")) {
    const ConfigNode& node = in.map(integrator->value, "integrator");
    IntegratorSettings& settings = s.integrator;
    in.only_keys(node, "integrator", schema::integrator_keys());
    in.read(node, "integrator", "stepper", settings.stepper);
    in.read(node, "integrator", "relative_tolerance", settings.relative_tolerance);
    in.read(node, "integrator", "absolute_tolerance", settings.absolute_tolerance);
    in.read(node, "integrator", "initial_step", settings.initial_step);
    in.read(node, "integrator", "max_steps", settings.max_steps);
    in.read(node, "integrator", "locate_switches", settings.locate_switches);
    in.read(node, "integrator", "predict_switches", settings.predict_switches);
  }
  if (const ConfigEntry* output = root.find("output")) {
    const ConfigNode& node = in.map(output->value, "output");
    OutputSettings& settings = s.output;
    in.only_keys(node, "output", schema::output_keys());
    in.read(node, "output", "step", settings.step);
    if (const ConfigEntry* variables = node.find("variables")) {
      const ConfigNode& value = variables->value;
      if (value.kind == Kind::sequence) {
        settings.all_variables = false;
        const std::vector<std::string> known = trajectory_variable_names();
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string item_path = "output.variables[" + std::to_string(i) + "]";
          const std::string name = in.text(value.items[i], item_path);
          if (std::find(known.begin(), known.end(), name) == known.end()) {
            const std::string suggestion = nearest_word(name, known);
            in.fail(item_path, "unknown trajectory variable '" + name + "'" +
                                   (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                                   "; known variables: " + list_words(known));
          }
          if (std::find(settings.variables.begin(), settings.variables.end(), name) !=
              settings.variables.end())
            in.fail(item_path, "trajectory variable '" + name + "' is listed twice");
          settings.variables.push_back(name);
        }
      } else if (value.kind == Kind::scalar && !value.quoted &&
                 (value.text == "all" || value.text == "none")) {
        settings.all_variables = value.text == "all";
      } else {
        in.fail("output.variables", "expected `all`, `none` or a list of names, got " + describe(value));
      }
    }
    if (const ConfigEntry* precision = node.find("precision"))
      settings.single_precision =
          in.choice(precision->value, "output.precision", {"float64", "float32"}) == "float32";
    if (const ConfigEntry* compression = node.find("compression"))
      settings.compress =
          in.choice(compression->value, "output.compression", {"deflate", "none"}) == "deflate";
  }
}

void read_globals(const Reader& in, const ConfigNode& root, Scenario& s) {
  if (const ConfigEntry* economy = root.find("economy")) {
    const ConfigNode& node = in.map(economy->value, "economy");
    Economy& e = s.economy;
    const std::string path = "economy";
    in.only_keys(node, path, schema::economy_keys());
    in.read(node, path, "social_discount_rate", e.social_discount_rate);
    in.read(node, path, "eligibility_band", e.eligibility_band);
    in.read(node, path, "investment_saturation", e.investment_saturation);
    in.read(node, path, "revenue_share_floor", e.revenue_share_floor);
    in.read(node, path, "title_risk_premium", e.title_risk_premium);
    in.read(node, path, "tension_risk_premium", e.tension_risk_premium);
    in.read(node, path, "tension_cost_surcharge", e.tension_cost_surcharge);
    in.read(node, path, "debris_launch_surcharge", e.debris_launch_surcharge);
    in.read(node, path, "mitigation_cost", e.mitigation_cost);
    in.read(node, path, "debris_capacity_loss", e.debris_capacity_loss);
  }
  if (const ConfigEntry* debris = root.find("debris")) {
    const ConfigNode& node = in.map(debris->value, "debris");
    Debris& d = s.debris;
    const std::string path = "debris";
    in.only_keys(node, path, schema::debris_keys());
    in.read(node, path, "initial", d.initial);
    in.read_optional(node, path, "reference", d.reference);
    in.read_optional(node, path, "saturation", d.saturation);
    in.read_optional(node, path, "kessler_threshold", d.kessler_threshold);
    in.read(node, path, "per_launched_tonne", d.per_launched_tonne);
    in.read(node, path, "collision_rate", d.collision_rate);
    in.read(node, path, "decay_rate", d.decay_rate);
    in.read(node, path, "per_asat_test", d.per_asat_test);
  }
  // Defaults that scale with the initial debris (MODEL.md §12).
  if (std::isnan(s.debris.reference)) s.debris.reference = s.debris.initial;
  if (std::isnan(s.debris.saturation)) s.debris.saturation = 10 * s.debris.initial;
  if (std::isnan(s.debris.kessler_threshold)) s.debris.kessler_threshold = 100 * s.debris.initial;

  if (const ConfigEntry* tension = root.find("tension")) {
    const ConfigNode& node = in.map(tension->value, "tension");
    Tension& t = s.tension;
    const std::string path = "tension";
    in.only_keys(node, path, schema::tension_keys());
    in.read(node, path, "initial", t.initial);
    in.read(node, path, "base", t.base);
    in.read(node, path, "inequality_weight", t.inequality_weight);
    in.read(node, path, "claims_weight", t.claims_weight);
    in.read(node, path, "adjustment_time", t.adjustment_time);
  }
  if (const ConfigEntry* legal = root.find("legal")) {
    const ConfigNode& node = in.map(legal->value, "legal");
    in.only_keys(node, "legal", regime_event_keys());
    // The same conversion as a schedule event's `set`, so both read alike.
    for (const ConfigEntry& entry : node.entries)
      apply_regime_change(s.regime,
                          {entry.key, in.change_value(entry.key, entry.value, join("legal", entry.key))});
  }
}

void read_jurisdictions(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("jurisdictions");
  if (section == nullptr) return;
  for (const ConfigEntry& entry : in.map(section->value, "jurisdictions").entries) {
    const std::string path = "jurisdictions." + entry.key;
    in.check_id(entry.key, path);
    const ConfigNode& node = in.map(entry.value, path);
    in.only_keys(node, path, schema::jurisdiction_keys());
    Jurisdiction jurisdiction;
    jurisdiction.id = entry.key;
    for (const ConfigEntry& field : node.entries)
      apply_jurisdiction_change(jurisdiction,
                                {field.key, in.change_value(field.key, field.value, join(path, field.key))});
    s.jurisdictions.push_back(jurisdiction);
  }
}

void read_resources(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("resources");
  if (section == nullptr) return;
  for (const ConfigEntry& entry : in.map(section->value, "resources").entries) {
    const std::string path = "resources." + entry.key;
    in.check_id(entry.key, path);
    const ConfigNode& node = in.map(entry.value, path);
    in.only_keys(node, path, schema::resource_keys());
    in.require(node, path,
               {"demand", "reference_price", "elasticity", "stock", "min_stock", "hardware_cost"});
    Resource k;
    k.id = entry.key;
    in.read(node, path, "description", k.description);
    in.read(node, path, "demand", k.demand);
    in.read(node, path, "reference_price", k.reference_price);
    in.read(node, path, "elasticity", k.elasticity);
    in.read(node, path, "demand_growth", k.demand_growth);
    in.read(node, path, "fringe_supply", k.fringe_supply);
    in.read(node, path, "fringe_elasticity", k.fringe_elasticity);
    if (const ConfigEntry* backstop = node.find("backstop")) {
      const std::string backstop_path = path + ".backstop";
      const ConfigNode& value = backstop->value;
      if (value.is_map()) {
        in.only_keys(value, backstop_path, schema::backstop_keys());
        k.has_backstop = true;
        in.read(value, backstop_path, "price", k.backstop_price);
        in.read(value, backstop_path, "launch_mass", k.backstop_launch_mass);
      } else if (!(value.kind == Kind::scalar && !value.quoted && value.text == "none")) {
        in.fail(backstop_path, "expected `none` or a map with price and launch_mass, got " + describe(value));
      }
    }
    in.read(node, path, "stock", k.stock);
    in.read(node, path, "min_stock", k.min_stock);
    in.read(node, path, "stock_exponent", k.stock_exponent);
    in.read(node, path, "regeneration_rate", k.regeneration_rate);
    in.read_optional(node, path, "stock_capacity", k.stock_capacity);
    in.read(node, path, "extraction_cost", k.extraction_cost);
    in.read(node, path, "transport_cost", k.transport_cost);
    in.read(node, path, "operations_mass", k.operations_mass);
    in.read(node, path, "hardware_cost", k.hardware_cost);
    in.read(node, path, "plant_mass", k.plant_mass);
    in.read(node, path, "build_time", k.build_time);
    in.read(node, path, "depreciation", k.depreciation);
    in.read(node, path, "entry_scale", k.entry_scale);
    s.resources.push_back(k);
  }
}

//! {resource id: t/yr} -> one value per resource, 0 where not given.
std::vector<double> read_per_resource(const Reader& in, const ConfigNode& actor,
                                      const std::string& actor_path, const char* key, const Scenario& s) {
  std::vector<double> values(s.resources.size(), 0.0);
  const ConfigEntry* entry = actor.find(key);
  if (entry == nullptr) return values;
  const std::string path = join(actor_path, key);
  for (const ConfigEntry& item : in.map(entry->value, path).entries) {
    const int k = index_of(s.resources, item.key);
    if (k < 0) in.fail(join(path, item.key), unknown_reference("resource", item.key, ids_of(s.resources)));
    values[static_cast<std::size_t>(k)] = in.number(item.value, join(path, item.key));
  }
  return values;
}

void read_blocs(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("blocs");
  if (section == nullptr || section->value.kind == Kind::null) return;
  if (section->value.kind != Kind::sequence)
    in.fail("blocs", "expected a list of bloc names, got " + describe(section->value));
  for (std::size_t i = 0; i < section->value.items.size(); ++i) {
    const std::string path = "blocs[" + std::to_string(i) + "]";
    const std::string name = in.text(section->value.items[i], path);
    in.check_id(name, path);
    if (std::find(s.blocs.begin(), s.blocs.end(), name) != s.blocs.end())
      in.fail(path, "bloc '" + name + "' is listed twice");
    s.blocs.push_back(name);
  }
}

// Tension compares the shares of every bloc; a declared bloc that no actor
// joins would count as a bloc with nothing, so it is refused.
void check_blocs_used(const Reader& in, const Scenario& s) {
  for (std::size_t b = 0; b < s.blocs.size(); ++b) {
    const bool used = std::any_of(s.actors.begin(), s.actors.end(),
                                  [&](const Actor& a) { return a.bloc == static_cast<int>(b); });
    if (!used) in.fail("blocs[" + std::to_string(b) + "]", "bloc '" + s.blocs[b] + "' has no actor in it");
  }
}

void read_actors(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("actors");
  if (section == nullptr) return;
  for (const ConfigEntry& entry : in.map(section->value, "actors").entries) {
    const std::string path = "actors." + entry.key;
    in.check_id(entry.key, path);
    const ConfigNode& node = in.map(entry.value, path);
    in.only_keys(node, path, schema::actor_keys());
    in.require(node, path, {"kind", "jurisdiction", "launch_cost", "launch_cost_floor", "launch_experience"});
    Actor a;
    a.id = entry.key;
    a.kind = in.choice(node.find("kind")->value, path + ".kind", {"state", "firm"}) == "state"
                 ? ActorKind::state
                 : ActorKind::firm;
    const std::string jurisdiction = in.text(node.find("jurisdiction")->value, path + ".jurisdiction");
    a.jurisdiction = index_of(s.jurisdictions, jurisdiction);
    if (a.jurisdiction < 0)
      in.fail(path + ".jurisdiction",
              unknown_reference("jurisdiction", jurisdiction, ids_of(s.jurisdictions)));
    std::string bloc;
    in.read(node, path, "bloc", bloc);
    if (!bloc.empty()) {
      // Blocs are declared once at the top, so a misspelt bloc is an error
      // rather than a new bloc of one that silently changes the tension.
      const auto known = std::find(s.blocs.begin(), s.blocs.end(), bloc);
      if (known == s.blocs.end())
        in.fail(path + ".bloc", s.blocs.empty() ? "bloc '" + bloc +
                                                      "' is not declared: list every bloc in the "
                                                      "top-level `blocs:`"
                                                : unknown_reference("bloc", bloc, s.blocs));
      a.bloc = static_cast<int>(known - s.blocs.begin());
    }
    in.read(node, path, "launch_cost", a.launch_cost);
    in.read(node, path, "launch_cost_floor", a.launch_cost_floor);
    in.read(node, path, "progress_ratio", a.progress_ratio);
    in.read(node, path, "launch_experience", a.launch_experience);
    in.read(node, path, "launch_markup", a.launch_markup);
    in.read(node, path, "launch_provider", a.launch_provider);
    in.read(node, path, "base_launch_mass", a.base_launch_mass);
    in.read(node, path, "base_launch_growth", a.base_launch_growth);
    in.read(node, path, "budget", a.budget);
    in.read(node, path, "resource_budget_share", a.resource_budget_share);
    in.read(node, path, "budget_growth", a.budget_growth);
    in.read(node, path, "profit_reinvestment", a.profit_reinvestment);
    in.read(node, path, "discount_rate", a.discount_rate);
    in.read(node, path, "adjustment_speed", a.adjustment_speed);
    in.read(node, path, "strategic_value", a.strategic_value);
    in.read(node, path, "cost_efficiency", a.cost_efficiency);
    a.initial_capacity = read_per_resource(in, node, path, "initial_capacity", s);
    a.initial_pipeline = read_per_resource(in, node, path, "initial_pipeline", s);
    s.actors.push_back(a);
  }
}

void read_beneficiaries(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("beneficiaries");
  if (section == nullptr) return;
  for (const ConfigEntry& entry : in.map(section->value, "beneficiaries").entries) {
    const std::string path = "beneficiaries." + entry.key;
    in.check_id(entry.key, path);
    const ConfigNode& node = in.map(entry.value, path);
    in.only_keys(node, path, schema::beneficiary_keys());
    Beneficiary b;
    b.id = entry.key;
    in.read(node, path, "weight", b.weight);
    const int actor = index_of(s.actors, b.id);
    // Only a state's gains are a population's gains (MODEL.md §11).
    if (actor >= 0 && s.actors[static_cast<std::size_t>(actor)].kind == ActorKind::state) b.actor = actor;
    s.beneficiaries.push_back(b);
  }
}

void read_schedule(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("schedule");
  if (section == nullptr || section->value.kind == Kind::null) return;
  if (section->value.kind != Kind::sequence)
    in.fail("schedule", "expected a list of events, got " + describe(section->value));
  const std::vector<ConfigNode>& items = section->value.items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string path = "schedule[" + std::to_string(i) + "]";
    const ConfigNode& node = in.map(items[i], path);
    in.only_keys(node, path, schema::event_keys());
    in.require(node, path, {"year", "set"});
    ScheduleEvent event;
    event.year = in.number(node.find("year")->value, path + ".year");
    if (const ConfigEntry* target = node.find("jurisdiction")) {
      const std::string id = in.text(target->value, path + ".jurisdiction");
      if (id == "*") {
        event.target = ScheduleEvent::Target::all_jurisdictions;
      } else {
        event.target = ScheduleEvent::Target::one_jurisdiction;
        event.jurisdiction = index_of(s.jurisdictions, id);
        if (event.jurisdiction < 0)
          in.fail(path + ".jurisdiction", unknown_reference("jurisdiction", id, ids_of(s.jurisdictions)));
      }
    }
    const bool regime_event = event.target == ScheduleEvent::Target::regime;
    const std::vector<std::string>& allowed = regime_event ? regime_event_keys() : jurisdiction_event_keys();
    const std::vector<std::string>& other = regime_event ? jurisdiction_event_keys() : regime_event_keys();
    const ConfigNode& changes = in.map(node.find("set")->value, path + ".set");
    if (changes.entries.empty()) in.fail(path + ".set", "an event must set at least one key");
    for (const ConfigEntry& change : changes.entries) {
      const std::string change_path = path + ".set." + change.key;
      if (std::find(allowed.begin(), allowed.end(), change.key) == allowed.end()) {
        const bool belongs_elsewhere = std::find(other.begin(), other.end(), change.key) != other.end();
        in.fail(change_path,
                std::string(regime_event ? "a regime event (no `jurisdiction:`)" : "a jurisdiction event") +
                    " cannot set this key" +
                    (belongs_elsewhere
                         ? (regime_event ? "; it needs `jurisdiction: ID` or `jurisdiction: \"*\"`"
                                         : "; it belongs in an event without `jurisdiction:`")
                         : "") +
                    ". Allowed here: " + list_words(allowed));
      }
      event.changes.push_back({change.key, in.change_value(change.key, change.value, change_path)});
    }
    s.schedule.push_back(event);
  }
}

Scenario interpret(const ConfigNode& root, const Reader& in) {
  if (!root.is_map()) in.fail("", "a scenario file must be a map of keys, got " + describe(root));
  in.only_keys(root, "", schema::top_level_keys());
  Scenario s;
  in.read(root, "", "name", s.name);
  in.read(root, "", "description", s.description);
  read_time_and_numerics(in, root, s);
  read_globals(in, root, s);
  read_jurisdictions(in, root, s);
  read_resources(in, root, s);
  read_blocs(in, root, s);
  read_actors(in, root, s);
  check_blocs_used(in, s);
  read_beneficiaries(in, root, s);
  read_schedule(in, root, s);
  return s;
}

// Weights that already sum to 1 up to rounding are left alone, so that the
// normalised weights written by to_yaml read back bit for bit.
void normalise_weights(Scenario& s) {
  double total = 0;
  for (const Beneficiary& b : s.beneficiaries) total += b.weight;
  if (std::abs(total - 1.0) <= 8 * std::numeric_limits<double>::epsilon()) return;
  for (Beneficiary& b : s.beneficiaries) b.weight /= total;
}

} // namespace

Scenario load_scenario_from_string(const std::string& text, const std::string& pseudo_filename) {
  const ConfigNode root = resolve_extends(text, pseudo_filename);
  SourceMap where(SourceLocation{pseudo_filename, 1, 1});
  record_locations(root, "", where);
  Scenario scenario = interpret(root, Reader(where));
  scenario.source_file = pseudo_filename;
  validate(scenario, where);
  normalise_weights(scenario);
  return scenario;
}

Scenario load_scenario(const std::string& path) {
  return load_scenario_from_string(read_text_file(path, SourceLocation{}, ""), path);
}

void validate(const Scenario& scenario) {
  validate(scenario, SourceMap(SourceLocation{scenario.source_file, 0, 0}));
}

} // namespace arcm
