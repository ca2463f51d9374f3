#include "scenario/config_tree.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

// GCC 12 reports -Wdangling-pointer false positives inside yaml-cpp 0.7's
// node/impl.h (a known yaml-cpp issue); the diagnostic is checked at the
// header's lines, so silencing it around the include is enough.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include "core/errors.hpp"

namespace arcm {

namespace fs = std::filesystem;

const ConfigEntry* ConfigNode::find(const std::string& key) const {
  for (const ConfigEntry& entry : entries)
    if (entry.key == key) return &entry;
  return nullptr;
}

namespace {

// yaml-cpp marks are 0-based (and -1 for nodes it made up, such as an empty
// document); ConfigError wants 1-based.
SourceLocation location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.line < 0) return {file, 1, 1};
  return {file, mark.line + 1, mark.column + 1};
}

// yaml-cpp reports the non-specific tags "?" (plain scalar) and "!" (quoted
// scalar or untagged collection); only tags a user wrote are kept.
std::string explicit_tag(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  return (tag == "?" || tag == "!") ? std::string{} : tag;
}

ConfigNode convert(const YAML::Node& node, const SourceLocation& fallback, const std::string& file,
                   const std::string& path) {
  ConfigNode out;
  out.where = node.Mark().line >= 0 ? location_of(node.Mark(), file) : fallback;
  out.tag = explicit_tag(node);
  if (!out.tag.empty() && !(out.tag == "!append" && node.IsSequence()))
    throw ConfigError(file, out.where.line, out.where.column, path,
                      "unsupported YAML tag '" + out.tag + "' (only `!append` on a list is understood)");
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    // The mark of an empty value points past it; the key's location is better.
    out.kind = ConfigNode::Kind::null;
    out.where = fallback;
    break;
  case YAML::NodeType::Scalar:
    out.kind = ConfigNode::Kind::scalar;
    out.text = node.Scalar();
    out.quoted = node.Tag() == "!";
    break;
  case YAML::NodeType::Sequence: {
    out.kind = ConfigNode::Kind::sequence;
    std::size_t index = 0;
    for (const YAML::Node& item : node) {
      out.items.push_back(convert(item, out.where, file, path + "[" + std::to_string(index) + "]"));
      ++index;
    }
    break;
  }
  case YAML::NodeType::Map: {
    out.kind = ConfigNode::Kind::map;
    // yaml-cpp 0.7 keeps every pair of a map, duplicates included, and a
    // lookup by key silently returns the first: refuse them here instead.
    for (auto pair = node.begin(); pair != node.end(); ++pair) {
      // Copies (cheap handles): `pair->` returns a temporary proxy, so a
      // reference to its member dangles at the end of the statement (ASan:
      // stack-use-after-scope, found by the loader fuzz target).
      const YAML::Node key = pair->first;
      const YAML::Node value = pair->second;
      const SourceLocation key_where = location_of(key.Mark(), file);
      if (!key.IsScalar())
        throw ConfigError(file, key_where.line, key_where.column, path, "map keys must be plain names");
      const std::string key_path = path.empty() ? key.Scalar() : path + "." + key.Scalar();
      if (const ConfigEntry* earlier = out.find(key.Scalar()))
        throw ConfigError(file, key_where.line, key_where.column, key_path,
                          "duplicate key (first given on line " + std::to_string(earlier->key_where.line) +
                              ")");
      out.entries.push_back({key.Scalar(), key_where, convert(value, key_where, file, key_path)});
    }
    break;
  }
  }
  return out;
}

} // namespace

std::string read_text_file(const std::string& path, const SourceLocation& requested_at,
                           const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path))
    throw ConfigError(requested_at.file.empty() ? path : requested_at.file, requested_at.line,
                      requested_at.column, key, "cannot read scenario file '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {

// Identity of a file for cycle detection: two spellings of one path compare equal.
std::string file_identity(const std::string& path) {
  std::error_code ignored;
  const fs::path canonical = fs::weakly_canonical(fs::path(path), ignored);
  return canonical.empty() ? path : canonical.string();
}

ConfigNode resolve_chain(ConfigNode node, const std::string& file, std::vector<std::string>& chain) {
  if (!node.is_map()) return node; // the loader reports a non-map document with its location
  const auto extends = std::find_if(node.entries.begin(), node.entries.end(),
                                    [](const ConfigEntry& entry) { return entry.key == "extends"; });
  if (extends == node.entries.end()) return node;

  const ConfigEntry link = *extends;
  node.entries.erase(extends);
  if (link.value.kind != ConfigNode::Kind::scalar || link.value.text.empty())
    throw ConfigError(file, link.key_where.line, link.key_where.column, "extends",
                      "expected the path of a parent scenario file");

  const fs::path base_dir = fs::path(file).parent_path();
  const std::string parent_file = (base_dir / fs::path(link.value.text)).lexically_normal().string();
  const std::string identity = file_identity(parent_file);
  if (std::find(chain.begin(), chain.end(), identity) != chain.end())
    throw ConfigError(file, link.key_where.line, link.key_where.column, "extends",
                      "'" + parent_file +
                          "' is already being extended: `extends` chains must not form a cycle");

  chain.push_back(identity);
  ConfigNode parent =
      resolve_chain(parse_config_text(read_text_file(parent_file, link.key_where, "extends"), parent_file),
                    parent_file, chain);
  chain.pop_back();
  if (!parent.is_map())
    throw ConfigError(parent_file, parent.where.line, parent.where.column, "",
                      "a scenario file must be a map of keys");
  merge_config(parent, node);
  return parent;
}

void clear_append_tags(ConfigNode& node) {
  node.tag.clear();
  for (ConfigEntry& entry : node.entries) clear_append_tags(entry.value);
  for (ConfigNode& item : node.items) clear_append_tags(item);
}

} // namespace

ConfigNode parse_config_text(const std::string& text, const std::string& file) {
  YAML::Node document;
  try {
    document = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    const SourceLocation where = location_of(error.mark, file);
    throw ConfigError(file, where.line, where.column, "", "YAML syntax error: " + error.msg);
  }
  return convert(document, SourceLocation{file, 1, 1}, file, "");
}

ConfigNode resolve_extends(const std::string& text, const std::string& file) {
  std::vector<std::string> chain{file_identity(file)};
  ConfigNode resolved = resolve_chain(parse_config_text(text, file), file, chain);
  // `!append` only means something relative to a parent; once merged it is a plain list.
  clear_append_tags(resolved);
  return resolved;
}

void merge_config(ConfigNode& parent, const ConfigNode& child) {
  if (parent.is_map() && child.is_map()) {
    for (const ConfigEntry& child_entry : child.entries) {
      auto existing = std::find_if(parent.entries.begin(), parent.entries.end(),
                                   [&](const ConfigEntry& entry) { return entry.key == child_entry.key; });
      if (existing == parent.entries.end()) {
        parent.entries.push_back(child_entry);
      } else {
        // A key takes the location where it was last written, maps included:
        // an error about a whole map (a resource with neither fringe nor
        // backstop) then points at the file that changed it last.
        merge_config(existing->value, child_entry.value);
        existing->key_where = child_entry.key_where;
      }
    }
    return;
  }
  // A section left empty in a child (`economy:` followed only by comments)
  // reads as null; it must not wipe out the section the parent gives.
  if (parent.is_map() && child.kind == ConfigNode::Kind::null) return;
  if (child.kind == ConfigNode::Kind::sequence && child.tag == "!append" &&
      parent.kind == ConfigNode::Kind::sequence) {
    parent.items.insert(parent.items.end(), child.items.begin(), child.items.end());
    return;
  }
  parent = child;
}

std::string nearest_word(const std::string& word, const std::vector<std::string>& allowed) {
  // Levenshtein distance; a suggestion is offered only when at most a third
  // of the word differs, so unrelated keys do not get silly suggestions.
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      current[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
        current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      }
      std::swap(previous, current);
    }
    return previous[b.size()];
  };
  std::string best;
  std::size_t best_distance = word.size() / 3 + 1;
  for (const std::string& candidate : allowed) {
    const std::size_t d = distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

} // namespace arcm
