// to_yaml: a scenario back to text. Written by hand rather than with
// YAML::Emitter so that numbers get round-trip precision in their shortest
// form and the layout (block style, schema order) is fixed.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "scenario/loader.hpp"
#include "scenario/node_values.hpp"
#include "scenario/parameter_table.hpp"

namespace arcm {

namespace {

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

using parameters::Parameter;
using parameters::Section;
using parameters::Type;

// A key the table leaves to the section's own code (a reference, a list, a
// sub-section), written at its row's place.
template <class Struct>
using StructuredWriter = void (*)(Writer&, int, const char*, const Struct&, const Scenario&);

// Every row of `section` for `value`, at `indent`, in the table's order.
template <class Struct>
void write_section(Writer& w, int indent, const Section<Struct>& section, const Struct& value,
                   const Scenario& s, StructuredWriter<Struct> structured = nullptr) {
  for (const Parameter<Struct>& row : section.rows) {
    const char* key = row.key();
    switch (row.about.type) {
    case Type::number:
    case Type::optional_number: w.number(indent, key, row.get(value)); break; // NaN is written as null
    case Type::whole_number: w.word(indent, key, number_text(row.get(value))); break;
    case Type::boolean: w.boolean(indent, key, row.get(value) != 0.0); break;
    case Type::choice: {
      const char* word = row.about.choices.at(parameters::choice_index(row.get(value)));
      if (row.about.quoted)
        w.string(indent, key, word);
      else
        w.word(indent, key, word);
      break;
    }
    case Type::text: w.string(indent, key, value.*(row.text)); break;
    case Type::per_resource: {
      const std::vector<double>& values = value.*(row.list);
      if (s.resources.empty()) {
        w.word(indent, key, "{}");
        break;
      }
      w.section(indent, key);
      for (std::size_t k = 0; k < s.resources.size(); ++k)
        w.number(indent + 1, key_text(s.resources[k].id), k < values.size() ? values[k] : 0.0);
      break;
    }
    case Type::structured:
      if (structured != nullptr) structured(w, indent, key, value, s);
      break;
    }
  }
}

// A section of ids (`actors: {ID: {...}}` ...), `{}` when empty.
template <class Item>
void write_items(Writer& w, const char* key, const Section<Item>& section, const std::vector<Item>& items,
                 const Scenario& s, StructuredWriter<Item> structured = nullptr) {
  if (items.empty()) return w.word(0, key, "{}");
  w.section(0, key);
  for (const Item& item : items) {
    w.section(1, key_text(item.id));
    write_section(w, 2, section, item, s, structured);
  }
}

void write_output_variables(Writer& w, int indent, const char* key, const OutputSettings& output,
                            const Scenario&) {
  if (output.all_variables) {
    w.word(indent, key, "all");
  } else if (output.variables.empty()) {
    w.word(indent, key, "none");
  } else {
    w.section(indent, key);
    for (const std::string& name : output.variables) w.item(indent + 1, quoted(name));
  }
}

void write_backstop(Writer& w, int indent, const char* key, const Resource& k, const Scenario& s) {
  if (!k.has_backstop) return w.word(indent, key, "none");
  w.section(indent, key);
  write_section(w, indent + 1, parameters::table().backstop, k, s);
}

void write_actor_reference(Writer& w, int indent, const char* key, const Actor& a, const Scenario& s) {
  if (std::string(key) == "jurisdiction") {
    const bool known = a.jurisdiction >= 0 && a.jurisdiction < static_cast<int>(s.jurisdictions.size());
    return w.string(indent, key, known ? s.jurisdictions[static_cast<std::size_t>(a.jurisdiction)].id : "");
  }
  const bool has_bloc = a.bloc >= 0 && a.bloc < static_cast<int>(s.blocs.size());
  w.string(indent, key, has_bloc ? s.blocs[static_cast<std::size_t>(a.bloc)] : "");
}

// One change of an event's `set`, written as its row's type is.
template <class Struct> void write_change(Writer& w, const Parameter<Struct>& row, double value) {
  switch (row.about.type) {
  case Type::choice: return w.word(3, row.key(), row.about.choices.at(parameters::choice_index(value)));
  case Type::boolean: return w.boolean(3, row.key(), value != 0.0);
  default: return w.number(3, row.key(), value); // NaN (repeal a domestic law) is written as null
  }
}

void write_event_part(Writer& w, int indent, const char* key, const ScheduleEvent& event, const Scenario& s) {
  if (std::string(key) == "jurisdiction") {
    if (event.target == ScheduleEvent::Target::all_jurisdictions) {
      w.string(indent, key, "*");
    } else if (event.target == ScheduleEvent::Target::one_jurisdiction) {
      const bool known =
          event.jurisdiction >= 0 && event.jurisdiction < static_cast<int>(s.jurisdictions.size());
      w.string(indent, key, known ? s.jurisdictions[static_cast<std::size_t>(event.jurisdiction)].id : "");
    }
    return;
  }
  w.section(indent, key);
  for (const ParameterChange& change : event.changes) {
    if (event.target == ScheduleEvent::Target::regime)
      write_change(w, parameters::regime_row(change), change.value);
    else
      write_change(w, parameters::jurisdiction_row(change), change.value);
  }
}

void write_schedule(Writer& w, const Scenario& s) {
  if (s.schedule.empty()) return w.word(0, "schedule", "[]");
  w.section(0, "schedule");
  const Section<ScheduleEvent>& section = parameters::table().event;
  for (const ScheduleEvent& event : s.schedule) {
    // `- year: Y` opens the item; the rest of the event is indented under it.
    w.word(1, "- year", number_text(event.year));
    Section<ScheduleEvent> rest{section.path, section.title, {section.rows.begin() + 1, section.rows.end()}};
    write_section(w, 2, rest, event, s, &write_event_part);
  }
}

// A top-level section of the table, under its own key.
template <class Struct>
void write_top_section(Writer& w, const Section<Struct>& section, const Struct& value, const Scenario& s,
                       StructuredWriter<Struct> structured = nullptr) {
  w.section(0, section.path);
  write_section(w, 1, section, value, s, structured);
}

} // namespace

std::string yaml_quoted(const std::string& text) {
  return quoted(text);
}

std::string to_yaml(const Scenario& s) {
  const parameters::Table& table = parameters::table();
  Writer w;
  w.string(0, "name", s.name);
  w.string(0, "description", s.description);
  write_top_section(w, table.time, s, s);
  write_top_section(w, table.integrator, s.integrator, s);
  write_top_section(w, table.output, s.output, s, &write_output_variables);
  write_top_section(w, table.economy, s.economy, s);
  write_top_section(w, table.debris, s.debris, s);
  write_top_section(w, table.tension, s.tension, s);
  write_top_section(w, table.legal, s.regime, s);
  write_items(w, "jurisdictions", table.jurisdiction, s.jurisdictions, s);
  write_items(w, "resources", table.resource, s.resources, s, &write_backstop);
  if (s.blocs.empty()) {
    w.word(0, "blocs", "[]");
  } else {
    w.section(0, "blocs");
    for (const std::string& bloc : s.blocs) w.item(1, quoted(bloc));
  }
  write_items(w, "actors", table.actor, s.actors, s, &write_actor_reference);
  write_items(w, "beneficiaries", table.beneficiary, s.beneficiaries, s);
  write_schedule(w, s);
  return w.text();
}

} // namespace arcm
