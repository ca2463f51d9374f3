#include "scenario/loader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/variables.hpp"
#include "scenario/config_tree.hpp"
#include "scenario/node_values.hpp"
#include "scenario/parameter_table.hpp"
#include "scenario/validation.hpp"

namespace arcm {

namespace {

using Kind = ConfigNode::Kind;
using parameters::Parameter;
using parameters::Section;
using parameters::Type;

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
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

// Typed access to the merged tree. Every failure goes through the SourceMap,
// so it names the dotted key and the file and line that key came from.
class Reader {
public:
  explicit Reader(const SourceMap& where) : where_(where) { empty_map_.kind = Kind::map; }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const { where_.fail(path, what); }

  //! The map at `path`; an empty value (`legal:` with nothing under it) counts as an empty map.
  const ConfigNode& map(const ConfigNode& node, const std::string& path) const {
    if (node.kind == Kind::null) return empty_map_;
    if (!node.is_map()) fail(path, "expected a map of keys, got " + describe_node(node));
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

  double number(const ConfigNode& value, const std::string& path) const {
    if (const auto parsed = node_number(value)) return *parsed;
    fail(path, "expected a finite number, got " + describe_node(value));
  }

  long integer(const ConfigNode& value, const std::string& path) const {
    if (const auto parsed = node_whole_number(value)) return *parsed;
    fail(path, "expected a whole number (of at most 2^53), got " + describe_node(value));
  }

  bool boolean(const ConfigNode& value, const std::string& path) const {
    if (const auto parsed = node_boolean(value)) return *parsed;
    fail(path, "expected true or false, got " + describe_node(value));
  }

  //! A string; an empty value reads as "".
  std::string text(const ConfigNode& value, const std::string& path) const {
    if (value.kind == Kind::null) return "";
    if (value.kind != Kind::scalar) fail(path, "expected a string, got " + describe_node(value));
    return value.text;
  }

  //! The index of one of `choices`, written plain or quoted.
  std::size_t choice(const ConfigNode& value, const std::string& path,
                     const std::vector<const char*>& choices) const {
    if (const auto index = node_choice(value, choices)) return *index;
    fail(path, "expected one of " + list_words(choices) + ", got " + describe_node(value));
  }

  //! A value of a row of the parameter table, as the double its setter takes.
  template <class Struct>
  double value(const Parameter<Struct>& row, const ConfigNode& value, const std::string& path) const {
    switch (row.about.type) {
    case Type::number: return number(value, path);
    case Type::optional_number: return value.kind == Kind::null ? NOT_SET : number(value, path);
    case Type::whole_number: return static_cast<double>(integer(value, path));
    case Type::boolean: return boolean(value, path) ? 1.0 : 0.0;
    case Type::choice: return static_cast<double>(choice(value, path, row.about.choices));
    case Type::text:
    case Type::per_resource:
    case Type::structured: break;
    }
    throw Error("parameter '" + path + "' is not a single value");
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

//! {resource id: value} -> one value per resource, 0 where not given.
std::vector<double> read_per_resource(const Reader& in, const ConfigNode& node, const std::string& path,
                                      const std::vector<Resource>& resources) {
  std::vector<double> values(resources.size(), 0.0);
  for (const ConfigEntry& item : in.map(node, path).entries) {
    const int k = index_of(resources, item.key);
    if (k < 0) in.fail(join(path, item.key), unknown_reference("resource", item.key, ids_of(resources)));
    values[static_cast<std::size_t>(k)] = in.number(item.value, join(path, item.key));
  }
  return values;
}

// A key of the table that its section reads by hand (a reference, a list, a
// sub-section): the loader's code for it, given the entry and its dotted path.
template <class Struct>
using StructuredReader = void (*)(const Reader&, const ConfigEntry&, const std::string&, Struct&, Scenario&);

// Read section `section` of the scenario from `node` (the map at `path`)
// into `target`, row by row in the table's order: unknown keys and missing
// required keys are refused first; keys the table leaves to the caller go to
// `structured`. `s` is the scenario being built (its resources, for the
// per-resource maps, which are read after the resources).
template <class Struct>
void read_section(const Reader& in, const ConfigNode& node, const std::string& path,
                  const Section<Struct>& section, Struct& target, Scenario& s,
                  StructuredReader<Struct> structured = nullptr) {
  in.only_keys(node, path, section.keys());
  for (const Parameter<Struct>& row : section.rows)
    if (row.about.required && node.find(row.key()) == nullptr)
      in.fail(join(path, row.key()),
              "required key is missing from '" + (path.empty() ? "the scenario" : path) + "'");
  for (const Parameter<Struct>& row : section.rows) {
    const ConfigEntry* entry = node.find(row.key());
    if (entry == nullptr) {
      // A per-resource map not given is 0 for every resource.
      if (row.about.type == Type::per_resource)
        target.*(row.list) = std::vector<double>(s.resources.size(), 0.0);
      continue;
    }
    const std::string key = join(path, row.key());
    switch (row.about.type) {
    case Type::text: target.*(row.text) = in.text(entry->value, key); break;
    case Type::per_resource:
      target.*(row.list) = read_per_resource(in, entry->value, key, s.resources);
      break;
    case Type::structured:
      if (structured != nullptr) structured(in, *entry, key, target, s);
      break;
    default: row.set(target, in.value(row, entry->value, key)); break;
    }
  }
}

// A section at the top level: absent keeps every default.
template <class Struct>
void read_top_section(const Reader& in, const ConfigNode& root, const Section<Struct>& section,
                      Struct& target, Scenario& s, StructuredReader<Struct> structured = nullptr) {
  if (const ConfigEntry* entry = root.find(section.path))
    read_section(in, in.map(entry->value, section.path), section.path, section, target, s, structured);
}

void read_output_variables(const Reader& in, const ConfigEntry& entry, const std::string& path,
                           OutputSettings& settings, Scenario&) {
  const ConfigNode& value = entry.value;
  if (value.kind == Kind::sequence) {
    settings.all_variables = false;
    const std::vector<std::string> known = trajectory_variable_names();
    for (std::size_t i = 0; i < value.items.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      const std::string name = in.text(value.items[i], item_path);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        const std::string suggestion = nearest_word(name, known);
        in.fail(item_path, "unknown trajectory variable '" + name + "'" +
                               (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                               "; known variables: " + list_words(known));
      }
      if (std::find(settings.variables.begin(), settings.variables.end(), name) != settings.variables.end())
        in.fail(item_path, "trajectory variable '" + name + "' is listed twice");
      settings.variables.push_back(name);
    }
  } else if (value.kind == Kind::scalar && !value.quoted && (value.text == "all" || value.text == "none")) {
    settings.all_variables = value.text == "all";
  } else {
    in.fail(path, "expected `all`, `none` or a list of names, got " + describe_node(value));
  }
}

void read_backstop(const Reader& in, const ConfigEntry& entry, const std::string& path, Resource& k,
                   Scenario& s) {
  const ConfigNode& value = entry.value;
  if (value.is_map()) {
    k.has_backstop = true;
    read_section(in, value, path, parameters::table().backstop, k, s);
  } else if (!(value.kind == Kind::scalar && !value.quoted && value.text == "none")) {
    in.fail(path, "expected `none` or a map with price and launch_mass, got " + describe_node(value));
  }
}

void read_actor_reference(const Reader& in, const ConfigEntry& entry, const std::string& path, Actor& a,
                          Scenario& s) {
  const std::string id = in.text(entry.value, path);
  if (entry.key == "jurisdiction") {
    a.jurisdiction = index_of(s.jurisdictions, id);
    if (a.jurisdiction < 0) in.fail(path, unknown_reference("jurisdiction", id, ids_of(s.jurisdictions)));
    return;
  }
  if (id.empty()) return; // `bloc: ""`: no bloc
  // Blocs are declared once at the top, so a misspelt bloc is an error
  // rather than a new bloc of one that silently changes the tension.
  const auto known = std::find(s.blocs.begin(), s.blocs.end(), id);
  if (known == s.blocs.end())
    in.fail(path, s.blocs.empty() ? "bloc '" + id +
                                        "' is not declared: list every bloc in the "
                                        "top-level `blocs:`"
                                  : unknown_reference("bloc", id, s.blocs));
  a.bloc = static_cast<int>(known - s.blocs.begin());
}

// Sections of ids: `jurisdictions: {ID: {...}}` and the like, in file order.
template <class Item>
void read_items(const Reader& in, const ConfigNode& root, const Section<Item>& section, const char* key,
                std::vector<Item>& items, Scenario& s, StructuredReader<Item> structured = nullptr) {
  const ConfigEntry* found = root.find(key);
  if (found == nullptr) return;
  for (const ConfigEntry& entry : in.map(found->value, key).entries) {
    const std::string path = std::string(key) + "." + entry.key;
    in.check_id(entry.key, path);
    Item item;
    item.id = entry.key;
    read_section(in, in.map(entry.value, path), path, section, item, s, structured);
    items.push_back(std::move(item));
  }
}

void read_blocs(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("blocs");
  if (section == nullptr || section->value.kind == Kind::null) return;
  if (section->value.kind != Kind::sequence)
    in.fail("blocs", "expected a list of bloc names, got " + describe_node(section->value));
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
  // With no actor at all, that is the problem to name, not an empty bloc.
  if (s.actors.empty()) in.fail("actors", "at least one actor is required");
  for (std::size_t b = 0; b < s.blocs.size(); ++b) {
    const bool used = std::any_of(s.actors.begin(), s.actors.end(),
                                  [&](const Actor& a) { return a.bloc == static_cast<int>(b); });
    if (!used) in.fail("blocs[" + std::to_string(b) + "]", "bloc '" + s.blocs[b] + "' has no actor in it");
  }
}

// `jurisdiction: ID` or `"*"` of an event: which jurisdictions it changes.
void read_event_target(const Reader& in, const ConfigEntry& entry, const std::string& path,
                       ScheduleEvent& event, Scenario& s) {
  const std::string id = in.text(entry.value, path);
  if (id == "*") {
    event.target = ScheduleEvent::Target::all_jurisdictions;
    return;
  }
  event.target = ScheduleEvent::Target::one_jurisdiction;
  event.jurisdiction = index_of(s.jurisdictions, id);
  if (event.jurisdiction < 0) in.fail(path, unknown_reference("jurisdiction", id, ids_of(s.jurisdictions)));
}

// An event's `set`: each key resolved to its row of the table now, so that
// applying the event later needs no key. Read after `jurisdiction:` (the
// table's order), which decides the kind of event.
template <class Struct>
void read_changes(const Reader& in, const ConfigNode& changes, const std::string& path,
                  const Section<Struct>& allowed_section, const std::vector<std::string>& other_keys,
                  bool regime_event, ScheduleEvent& event) {
  const std::vector<std::string> allowed = allowed_section.keys_with(parameters::schedule);
  for (const ConfigEntry& change : changes.entries) {
    const std::string change_path = path + "." + change.key;
    const Parameter<Struct>* row = allowed_section.find(change.key);
    if (row == nullptr || !row->schedulable()) {
      const bool belongs_elsewhere =
          std::find(other_keys.begin(), other_keys.end(), change.key) != other_keys.end();
      in.fail(change_path,
              std::string(regime_event ? "a regime event (no `jurisdiction:`)" : "a jurisdiction event") +
                  " cannot set this key" +
                  (belongs_elsewhere
                       ? (regime_event ? "; it needs `jurisdiction: ID` or `jurisdiction: \"*\"`"
                                       : "; it belongs in an event without `jurisdiction:`")
                       : "") +
                  ". Allowed here: " + list_words(allowed));
    }
    const double value = in.value(*row, change.value, change_path);
    event.changes.push_back(regime_event ? parameters::regime_change(change.key, value)
                                         : parameters::jurisdiction_change(change.key, value));
  }
}

void read_event_changes(const Reader& in, const ConfigEntry& entry, const std::string& path,
                        ScheduleEvent& event, Scenario&) {
  const parameters::Table& table = parameters::table();
  const ConfigNode& changes = in.map(entry.value, path);
  if (changes.entries.empty()) in.fail(path, "an event must set at least one key");
  const bool regime_event = event.target == ScheduleEvent::Target::regime;
  if (regime_event)
    read_changes(in, changes, path, table.legal, table.jurisdiction.keys_with(parameters::schedule), true,
                 event);
  else
    read_changes(in, changes, path, table.jurisdiction, table.legal.keys_with(parameters::schedule), false,
                 event);
}

void read_event_part(const Reader& in, const ConfigEntry& entry, const std::string& path,
                     ScheduleEvent& event, Scenario& s) {
  if (entry.key == "jurisdiction")
    read_event_target(in, entry, path, event, s);
  else
    read_event_changes(in, entry, path, event, s);
}

void read_schedule(const Reader& in, const ConfigNode& root, Scenario& s) {
  const ConfigEntry* section = root.find("schedule");
  if (section == nullptr || section->value.kind == Kind::null) return;
  if (section->value.kind != Kind::sequence)
    in.fail("schedule", "expected a list of events, got " + describe_node(section->value));
  const std::vector<ConfigNode>& items = section->value.items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string path = "schedule[" + std::to_string(i) + "]";
    ScheduleEvent event;
    read_section(in, in.map(items[i], path), path, parameters::table().event, event, s, &read_event_part);
    s.schedule.push_back(std::move(event));
  }
}

void read_beneficiary_actors(Scenario& s) {
  for (Beneficiary& b : s.beneficiaries) {
    const int actor = index_of(s.actors, b.id);
    // Only a state's gains are a population's gains (docs/model.md §3.12).
    if (actor >= 0 && s.actors[static_cast<std::size_t>(actor)].kind == ActorKind::state) b.actor = actor;
  }
}

Scenario interpret(const ConfigNode& root, const Reader& in) {
  if (!root.is_map()) in.fail("", "a scenario file must be a map of keys, got " + describe_node(root));
  const parameters::Table& table = parameters::table();
  Scenario s;
  // The sections are read in an order in which every reference can be
  // resolved: jurisdictions, resources and blocs before the actors that name
  // them, actors before the beneficiaries that may be states.
  read_section(in, root, "", table.top, s, s);
  read_top_section(in, root, table.time, s, s);
  read_top_section(in, root, table.integrator, s.integrator, s);
  read_top_section(in, root, table.output, s.output, s, &read_output_variables);
  read_top_section(in, root, table.economy, s.economy, s);
  read_top_section(in, root, table.debris, s.debris, s);
  // Defaults that scale with the initial debris (docs/model.md §3.8).
  if (std::isnan(s.debris.reference)) s.debris.reference = s.debris.initial;
  if (std::isnan(s.debris.saturation)) s.debris.saturation = 10 * s.debris.initial;
  if (std::isnan(s.debris.kessler_threshold)) s.debris.kessler_threshold = 100 * s.debris.initial;
  read_top_section(in, root, table.tension, s.tension, s);
  read_top_section(in, root, table.legal, s.regime, s);
  read_items(in, root, table.jurisdiction, "jurisdictions", s.jurisdictions, s);
  read_items(in, root, table.resource, "resources", s.resources, s, &read_backstop);
  read_blocs(in, root, s);
  read_items(in, root, table.actor, "actors", s.actors, s, &read_actor_reference);
  check_blocs_used(in, s);
  read_items(in, root, table.beneficiary, "beneficiaries", s.beneficiaries, s);
  read_beneficiary_actors(s);
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
