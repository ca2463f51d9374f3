#include "scenario/config_tree.hpp"

#include <algorithm>
#include <cstdint>
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
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
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

// What one file may hold. A scenario has a few thousand values nested five
// deep; the limits are far above that and far below what exhausts memory or
// the stack (YAML aliases expand to a copy at every use, so a few lines can
// stand for billions of values, and an alias can refer to its own anchor).
constexpr std::size_t MAX_VALUES = 100000;
constexpr int MAX_NESTING = 64;
constexpr std::size_t MAX_EXTENDS_CHAIN = 64;

// The values converted so far, and the collections being converted (to find
// an alias that refers to a collection containing it).
struct Conversion {
  std::size_t values{0};
  std::vector<YAML::Node> open;
};

// Why `text` cannot be a scenario string: a NUL character or invalid UTF-8;
// "" if it is fine.
std::string text_problem(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0) return "contains a NUL character (at byte " + std::to_string(i) + ")";
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xE  ? 3
                         : (byte >> 3) == 0x1E ? 4
                                               : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (valid && length > 1) {
      // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
      std::uint32_t code = byte & (0xFF >> (length + 1));
      for (std::size_t k = 1; k < length; ++k)
        code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      static const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = code >= smallest[length] && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
    }
    if (!valid) return "is not valid UTF-8 (at byte " + std::to_string(i) + ")";
    i += length;
  }
  return "";
}

ConfigNode convert(const YAML::Node& node, const SourceLocation& fallback, const std::string& file,
                   const std::string& path, Conversion& conversion) {
  ConfigNode out;
  out.where = node.Mark().line >= 0 ? location_of(node.Mark(), file) : fallback;
  // A path through a deep or recursive structure is long: its start says where.
  auto refuse = [&](const std::string& why) {
    throw ConfigError(file, out.where.line, out.where.column,
                      path.size() > 60 ? path.substr(0, 57) + "..." : path, why);
  };
  if (++conversion.values > MAX_VALUES)
    refuse("more than " + std::to_string(MAX_VALUES) +
           " values in one file (YAML aliases are copied at every use; a scenario has a few thousand)");
  if (node.IsSequence() || node.IsMap()) {
    for (const YAML::Node& open : conversion.open)
      if (open.is(node)) refuse("a YAML alias refers to a list or map that contains it");
    if (static_cast<int>(conversion.open.size()) >= MAX_NESTING)
      refuse("values nested deeper than " + std::to_string(MAX_NESTING) + " levels (a scenario nests five)");
  }
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
  case YAML::NodeType::Scalar: {
    out.kind = ConfigNode::Kind::scalar;
    out.text = node.Scalar();
    out.quoted = node.Tag() == "!";
    const std::string problem = text_problem(out.text);
    if (!problem.empty()) refuse("the value " + problem);
    break;
  }
  case YAML::NodeType::Sequence: {
    out.kind = ConfigNode::Kind::sequence;
    conversion.open.push_back(node);
    std::size_t index = 0;
    for (const YAML::Node& item : node) {
      out.items.push_back(
          convert(item, out.where, file, path + "[" + std::to_string(index) + "]", conversion));
      ++index;
    }
    conversion.open.pop_back();
    break;
  }
  case YAML::NodeType::Map: {
    out.kind = ConfigNode::Kind::map;
    conversion.open.push_back(node);
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
      const std::string problem = text_problem(key.Scalar());
      if (!problem.empty())
        throw ConfigError(file, key_where.line, key_where.column, path, "a map key " + problem);
      if (const ConfigEntry* earlier = out.find(key.Scalar()))
        throw ConfigError(file, key_where.line, key_where.column, key_path,
                          "duplicate key (first given on line " + std::to_string(earlier->key_where.line) +
                              ")");
      out.entries.push_back({key.Scalar(), key_where, convert(value, key_where, file, key_path, conversion)});
    }
    conversion.open.pop_back();
    break;
  }
  }
  return out;
}

} // namespace

std::string read_text_file(const std::string& path, const SourceLocation& requested_at,
                           const std::string& key) {
  auto refuse = [&](const std::string& why) -> void {
    throw ConfigError(requested_at.file.empty() ? path : requested_at.file, requested_at.line,
                      requested_at.column, key, "cannot read scenario file '" + path + "'" + why);
  };
  // Only regular files: a FIFO would block the open, and a device such as
  // /dev/zero never ends. Checked before opening.
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) refuse("");
  if (!fs::is_regular_file(status))
    refuse(fs::is_directory(status) ? ": it is a directory"
                                    : ": not a regular file (a device, pipe or socket)");
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse("");
  // At most MAX_CONFIG_BYTES, also when the file grows while it is read.
  std::string text(MAX_CONFIG_BYTES + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > MAX_CONFIG_BYTES)
    refuse(": larger than " + std::to_string(MAX_CONFIG_BYTES >> 20) +
           " MiB, the most a scenario or sweep file may be");
  return text;
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

  // Each parent is a level of recursion and a copy of its tree: a chain as
  // long as a file system allows would exhaust the stack.
  if (chain.size() >= MAX_EXTENDS_CHAIN)
    throw ConfigError(file, link.key_where.line, link.key_where.column, "extends",
                      "more than " + std::to_string(MAX_EXTENDS_CHAIN) + " files in one `extends` chain");
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

namespace {

// Counts the values of a YAML text as the parser streams them, and stops at
// the first past MAX_VALUES: building yaml-cpp's tree costs about 0.5 KB per
// value (a 14 MB list of 7 million numbers took 3.3 GB), so the count comes
// before the tree. An alias counts once here; its copies are counted when the
// tree is converted.
class ValueCounter final : public YAML::EventHandler {
public:
  struct TooMany {
    YAML::Mark mark;
  };
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count(mark);
  }
  void OnMapEnd() override {}

private:
  void count(const YAML::Mark& mark) {
    if (++values_ > MAX_VALUES) throw TooMany{mark};
  }
  std::size_t values_{0};
};

} // namespace

ConfigNode parse_config_text(const std::string& text, const std::string& file) {
  if (text.size() > MAX_CONFIG_BYTES)
    throw ConfigError(file, 0, 0, "",
                      "larger than " + std::to_string(MAX_CONFIG_BYTES >> 20) +
                          " MiB, the most a scenario or sweep file may be");
  std::vector<YAML::Node> documents;
  try {
    {
      std::istringstream stream(text);
      YAML::Parser parser(stream);
      ValueCounter counter;
      try {
        while (parser.HandleNextDocument(counter)) {
        }
      } catch (const ValueCounter::TooMany& too_many) {
        const SourceLocation where = location_of(too_many.mark, file);
        throw ConfigError(file, where.line, where.column, "",
                          "more than " + std::to_string(MAX_VALUES) +
                              " values in one file (a scenario has a few thousand)");
      }
    }
    documents = YAML::LoadAll(text);
  } catch (const YAML::DeepRecursion& error) {
    const SourceLocation where = location_of(error.mark, file);
    throw ConfigError(file, where.line, where.column, "",
                      "values nested deeper than " + std::to_string(MAX_NESTING) +
                          " levels (a scenario nests five; the YAML parser stopped at " +
                          std::to_string(error.depth()) + ")");
  } catch (const YAML::Exception& error) {
    const SourceLocation where = location_of(error.mark, file);
    throw ConfigError(file, where.line, where.column, "", "YAML syntax error: " + error.msg);
  }
  // A second document after `---` would be ignored; a file holds one.
  if (documents.size() > 1) {
    const SourceLocation where = location_of(documents[1].Mark(), file);
    throw ConfigError(file, where.line, where.column, "",
                      "a second YAML document (after `---`): a scenario or sweep file holds exactly one");
  }
  Conversion conversion;
  return convert(documents.empty() ? YAML::Node() : documents.front(), SourceLocation{file, 1, 1}, file, "",
                 conversion);
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
