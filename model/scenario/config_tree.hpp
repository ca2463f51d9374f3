// A YAML document as a plain tree in which every node remembers the file it
// came from. yaml-cpp marks carry line and column but no file name, and
// `extends:` merges nodes from several files into one tree; an error in an
// inherited value must still name the parent file, so the tree is copied out
// of yaml-cpp into this form before anything is merged. yaml-cpp itself stays
// inside config_tree.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenario/source_map.hpp"

namespace arcm {

struct ConfigEntry;

//! One YAML node with its origin.
struct ConfigNode {
  enum class Kind { null, scalar, sequence, map };
  Kind kind{Kind::null};
  bool quoted{false};               //!< scalar written in quotes (then never a number or boolean)
  std::string tag;                  //!< explicit YAML tag such as `!append`, else empty
  std::string text;                 //!< scalar text
  SourceLocation where;             //!< location of the value
  std::vector<ConfigEntry> entries; //!< map entries in file order (keys unique)
  std::vector<ConfigNode> items;    //!< sequence items

  bool is_map() const { return kind == Kind::map; }
  const ConfigEntry* find(const std::string& key) const;
};

//! A map entry: the key text, where the key is written, and the value.
struct ConfigEntry {
  std::string key;
  SourceLocation key_where;
  ConfigNode value;
};

//! The largest scenario or sweep file read [bytes].
inline constexpr std::size_t MAX_CONFIG_BYTES = std::size_t{16} << 20;

//! Parse one YAML document. Refuses syntax errors, duplicate keys, non-scalar
//! and null keys, a second document, more than 100,000 values (aliases
//! included), nesting deeper than 64 levels, an alias that contains itself,
//! and strings with NUL characters or invalid UTF-8, with a ConfigError
//! naming `file`, line and column.
ConfigNode parse_config_text(const std::string& text, const std::string& file);

//! The text of a file. If it cannot be read, is not a regular file (a
//! directory, device, FIFO or socket) or is larger than MAX_CONFIG_BYTES,
//! throws a ConfigError located at `requested_at` (the `extends:` that named
//! it) or, if that has no file, at the path itself.
std::string read_text_file(const std::string& path, const SourceLocation& requested_at,
                           const std::string& key);

//! Parse `text` (named `file` in messages) and resolve its `extends:` chain
//! (at most 64 files):
//! parents are read relative to the directory of the file that names them,
//! and each child is deep-merged over its parent (see merge_config). Cycles
//! are refused. The result has no `extends` key.
ConfigNode resolve_extends(const std::string& text, const std::string& file);

//! Deep-merge `child` over `parent`: for maps, a key of the child replaces the
//! parent's value (recursively when both values are maps) and a new key is
//! appended in the child's order. Any other child value replaces the parent's,
//! except a sequence tagged `!append`, which is appended to the parent's
//! sequence, and an empty (null) value, which leaves a parent's map as it is.
//! Locations travel with the nodes, so inherited values keep the
//! parent's file; a key the child repeats (a map included) takes the child's.
void merge_config(ConfigNode& parent, const ConfigNode& child);

//! The allowed word closest to `word` (edit distance), or "" if none is close.
std::string nearest_word(const std::string& word, const std::vector<std::string>& allowed);

} // namespace arcm
