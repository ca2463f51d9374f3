#include "scenario/parameter_path.hpp"

#include <cmath>
#include <vector>

#include "core/errors.hpp"
#include "scenario/node_values.hpp"

namespace arcm {

namespace {

using parameters::Parameter;
using parameters::Section;

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

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw Error("parameter '" + path + "': " + why);
}

// The sweepable row `key` of `section`, or an error listing the sweepable keys.
template <class Struct>
const Parameter<Struct>& sweepable_row(const std::string& path, const Section<Struct>& section,
                                       const std::string& key) {
  const Parameter<Struct>* row = section.find(key);
  if (row == nullptr || !row->sweepable()) {
    const std::vector<std::string> sweepable = section.keys_with(parameters::sweep);
    const std::string near = nearest_word(key, sweepable);
    fail(path, "unknown or not sweepable key '" + key + "'" +
                   (near.empty() ? "" : " (did you mean '" + near + "'?)") +
                   "; sweepable here: " + list_words(sweepable));
  }
  return *row;
}

} // namespace

// A row of a struct that `locate` finds in a scenario; `of` says whose it is
// (", actor spacex") for the long name.
template <class Struct, class Locate>
void ParameterPath::bind(const Parameter<Struct>& row, Locate locate, const std::string& of) {
  units_ = row.about.unit;
  long_name_ = std::string(row.about.meaning) + of;
  type_ = row.about.type;
  words_ = row.about.choices;
  const auto set = row.set;
  const auto get = row.get;
  setter_ = [locate, set](Scenario& sc, double v) { set(locate(sc), v); };
  getter_ = [locate, get](const Scenario& sc) { return get(locate(const_cast<Scenario&>(sc))); };
}

ParameterPath ParameterPath::resolve(const Scenario& s, const std::string& path) {
  const parameters::Table& table = parameters::table();
  ParameterPath p;
  p.path_ = path;
  const std::vector<std::string> parts = split(path);
  const std::string& section = parts[0];

  if (parts.size() == 2 && section == "legal") {
    p.bind(
        sweepable_row(path, table.legal, parts[1]), [](Scenario& sc) -> Regime& { return sc.regime; }, "");
  } else if (parts.size() == 2 && section == "economy") {
    p.bind(
        sweepable_row(path, table.economy, parts[1]), [](Scenario& sc) -> Economy& { return sc.economy; },
        "");
  } else if (parts.size() == 2 && section == "debris") {
    p.bind(
        sweepable_row(path, table.debris, parts[1]), [](Scenario& sc) -> Debris& { return sc.debris; }, "");
  } else if (parts.size() == 2 && section == "tension") {
    p.bind(
        sweepable_row(path, table.tension, parts[1]), [](Scenario& sc) -> Tension& { return sc.tension; },
        "");
  } else if (parts.size() == 2 && section == "integrator") {
    p.bind(
        sweepable_row(path, table.integrator, parts[1]),
        [](Scenario& sc) -> IntegratorSettings& { return sc.integrator; }, "");
  } else if (section == "actors" && parts.size() >= 3) {
    const int i = find_id(s.actors, parts[1]);
    if (i < 0) fail(path, "unknown actor '" + parts[1] + "'; actors: " + ids(s.actors));
    const auto index = static_cast<std::size_t>(i);
    const Parameter<Actor>& row = sweepable_row(path, table.actor, parts[2]);
    const std::string of = ", actor " + parts[1];
    if (row.about.type == parameters::Type::per_resource) {
      if (parts.size() != 4) fail(path, "a per-resource value is actors.ID." + parts[2] + ".RESOURCE");
      const int k = find_id(s.resources, parts[3]);
      if (k < 0) fail(path, "unknown resource '" + parts[3] + "'; resources: " + ids(s.resources));
      const auto resource = static_cast<std::size_t>(k);
      const auto member = row.list;
      p.units_ = row.about.unit;
      p.long_name_ = std::string(row.about.meaning) + of + ", resource " + parts[3];
      p.setter_ = [index, member, resource](Scenario& sc, double v) {
        (sc.actors[index].*member)[resource] = v;
      };
      p.getter_ = [index, member, resource](const Scenario& sc) {
        return (sc.actors[index].*member)[resource];
      };
      return p;
    }
    if (parts.size() != 3) fail(path, "an actor parameter is actors.ID.KEY");
    p.bind(
        row, [index](Scenario& sc) -> Actor& { return sc.actors[index]; }, of);
  } else if (section == "resources" && parts.size() >= 3) {
    const int k = find_id(s.resources, parts[1]);
    if (k < 0) fail(path, "unknown resource '" + parts[1] + "'; resources: " + ids(s.resources));
    const auto index = static_cast<std::size_t>(k);
    auto locate = [index](Scenario& sc) -> Resource& { return sc.resources[index]; };
    const std::string of = ", resource " + parts[1];
    if (parts[2] == "backstop") {
      if (parts.size() != 4)
        fail(path, "a backstop parameter is resources.ID.backstop.KEY (" +
                       list_words(table.backstop.keys_with(parameters::sweep)) + ")");
      if (!s.resources[index].has_backstop) fail(path, "resource '" + parts[1] + "' has no backstop");
      p.bind(sweepable_row(path, table.backstop, parts[3]), locate, of + " backstop");
      return p;
    }
    if (parts.size() != 3) fail(path, "a resource parameter is resources.ID.KEY");
    p.bind(sweepable_row(path, table.resource, parts[2]), locate, of);
  } else if (section == "jurisdictions" && parts.size() == 3) {
    const int j = find_id(s.jurisdictions, parts[1]);
    if (j < 0) fail(path, "unknown jurisdiction '" + parts[1] + "'; jurisdictions: " + ids(s.jurisdictions));
    const auto index = static_cast<std::size_t>(j);
    p.bind(
        sweepable_row(path, table.jurisdiction, parts[2]),
        [index](Scenario& sc) -> Jurisdiction& { return sc.jurisdictions[index]; },
        ", jurisdiction " + parts[1]);
  } else if (section.rfind("schedule[", 0) == 0 && section.back() == ']') {
    const std::string digits = section.substr(9, section.size() - 10);
    std::size_t event = 0;
    try {
      std::size_t used = 0;
      event = static_cast<std::size_t>(std::stoul(digits, &used));
      if (used != digits.size()) throw std::invalid_argument(digits);
    } catch (const std::exception&) {
      fail(path, "expected schedule[N] with a whole number N");
    }
    if (event >= s.schedule.size())
      fail(path, s.schedule.empty() ? std::string("the scenario has no schedule events")
                                    : "the scenario has " + std::to_string(s.schedule.size()) +
                                          " schedule events, schedule[0] to schedule[" +
                                          std::to_string(s.schedule.size() - 1) + "]");
    const std::string of = ", schedule event " + digits;
    if (parts.size() == 2) {
      p.bind(
          sweepable_row(path, table.event, parts[1]),
          [event](Scenario& sc) -> ScheduleEvent& { return sc.schedule[event]; }, of);
      return p;
    }
    if (parts.size() != 3 || parts[1] != "set")
      fail(path, "a schedule parameter is schedule[N].year or schedule[N].set.KEY");
    const ScheduleEvent& target = s.schedule[event];
    const bool regime_event = target.target == ScheduleEvent::Target::regime;
    std::size_t change = target.changes.size();
    for (std::size_t c = 0; c < target.changes.size(); ++c) {
      const char* key = regime_event ? parameters::regime_row(target.changes[c]).key()
                                     : parameters::jurisdiction_row(target.changes[c]).key();
      if (parts[2] == key) change = c;
    }
    if (change == target.changes.size())
      fail(path, "schedule[" + digits + "] does not set '" + parts[2] + "'");
    const parameters::Description& about = regime_event
                                               ? parameters::regime_row(target.changes[change]).about
                                               : parameters::jurisdiction_row(target.changes[change]).about;
    p.units_ = about.unit;
    p.long_name_ = std::string(about.meaning) + of;
    p.type_ = about.type;
    p.words_ = about.choices;
    p.setter_ = [event, change](Scenario& sc, double v) { sc.schedule[event].changes[change].value = v; };
    p.getter_ = [event, change](const Scenario& sc) { return sc.schedule[event].changes[change].value; };
  } else {
    fail(path, "expected legal.KEY, economy.KEY, debris.KEY, tension.KEY, integrator.KEY, actors.ID.KEY, "
               "resources.ID.KEY, jurisdictions.ID.KEY, schedule[N].year or schedule[N].set.KEY");
  }
  return p;
}

} // namespace arcm
