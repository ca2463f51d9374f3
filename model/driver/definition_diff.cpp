#include "driver/definition_diff.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "scenario/config_tree.hpp"

namespace arcm::driver {

namespace {

using Kind = ConfigNode::Kind;

// Values longer than this are cut in messages (a changed inlined scenario is
// reported by its keys, not as a whole).
constexpr std::size_t MAX_VALUE_CHARS = 80;

std::string render(const ConfigNode& node) {
  std::string text;
  switch (node.kind) {
  case Kind::null: text = "null"; break;
  case Kind::scalar: text = node.text; break;
  case Kind::sequence: {
    text = "[";
    for (std::size_t i = 0; i < node.items.size(); ++i) text += (i ? ", " : "") + render(node.items[i]);
    text += "]";
    break;
  }
  case Kind::map: {
    text = "{";
    for (std::size_t i = 0; i < node.entries.size(); ++i)
      text += (i ? ", " : "") + node.entries[i].key + ": " + render(node.entries[i].value);
    text += "}";
    break;
  }
  }
  if (text.size() > MAX_VALUE_CHARS) text = text.substr(0, MAX_VALUE_CHARS - 3) + "...";
  return text;
}

bool all_scalars(const ConfigNode& node) {
  for (const ConfigNode& item : node.items)
    if (item.kind == Kind::map || item.kind == Kind::sequence) return false;
  return true;
}

std::string join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// A multi-line scalar is an inlined document (the resolved scenarios); parse
// it so that its changes are reported key by key. Nullptr if it is not one.
bool parse_embedded(const ConfigNode& node, ConfigNode& parsed) {
  if (node.kind != Kind::scalar || node.text.find('\n') == std::string::npos) return false;
  try {
    parsed = parse_config_text(node.text, "");
  } catch (const Error&) {
    return false;
  }
  return parsed.is_map();
}

class Differ {
public:
  void compare(const std::string& key, const ConfigNode& a, const ConfigNode& b) {
    ConfigNode parsed_a, parsed_b;
    if (parse_embedded(a, parsed_a) && parse_embedded(b, parsed_b)) {
      compare(key, parsed_a, parsed_b);
    } else if (a.kind == Kind::map && b.kind == Kind::map) {
      for (const ConfigEntry& entry : a.entries) {
        if (const ConfigEntry* other = b.find(entry.key))
          compare(join(key, entry.key), entry.value, other->value);
        else
          add("`" + join(key, entry.key) + ": " + render(entry.value) + "` was removed");
      }
      for (const ConfigEntry& entry : b.entries)
        if (!a.find(entry.key)) add("`" + join(key, entry.key) + ": " + render(entry.value) + "` was added");
    } else if (a.kind == Kind::sequence && b.kind == Kind::sequence && !(all_scalars(a) && all_scalars(b))) {
      const std::size_t common = std::min(a.items.size(), b.items.size());
      for (std::size_t i = 0; i < common; ++i)
        compare(key + "[" + std::to_string(i) + "]", a.items[i], b.items[i]);
      for (std::size_t i = common; i < a.items.size(); ++i)
        add("`" + key + "[" + std::to_string(i) + "]: " + render(a.items[i]) + "` was removed");
      for (std::size_t i = common; i < b.items.size(); ++i)
        add("`" + key + "[" + std::to_string(i) + "]: " + render(b.items[i]) + "` was added");
    } else {
      const std::string was = render(a), now = render(b);
      if (a.kind != b.kind || was != now || a.text != b.text)
        add("`" + key + ": " + was + "` is now `" + key + ": " + now + "`");
    }
  }

  std::string report(std::size_t limit) const {
    if (items_.empty()) return "no difference";
    std::string text;
    for (std::size_t i = 0; i < items_.size() && i < limit; ++i) text += (i ? "; " : "") + items_[i];
    if (items_.size() > limit) text += "; and " + std::to_string(items_.size() - limit) + " more";
    return text;
  }

private:
  void add(std::string item) { items_.push_back(std::move(item)); }
  std::vector<std::string> items_;
};

// The first line where two texts differ (for definitions that are not YAML).
std::string first_line_difference(const std::string& before, const std::string& now) {
  std::istringstream a(before), b(now);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "no difference";
    if (!more_a || !more_b || line_a != line_b)
      return "resolved definition line " + std::to_string(line) + " was \"" + (more_a ? line_a : "(end)") +
             "\", now \"" + (more_b ? line_b : "(end)") + "\"";
  }
}

} // namespace

std::string describe_definition_change(const std::string& before, const std::string& now, std::size_t limit) {
  ConfigNode a, b;
  try {
    a = parse_config_text(before, "");
    b = parse_config_text(now, "");
  } catch (const Error&) {
    return first_line_difference(before, now);
  }
  Differ differ;
  differ.compare("", a, b);
  const std::string report = differ.report(limit);
  // Texts that differ only where YAML does not look (comments, layout).
  if (report == "no difference" && before != now) return first_line_difference(before, now);
  return report;
}

} // namespace arcm::driver
