// Where each value of a scenario came from: file, line and column of the key
// that set it, looked up by its dotted path (`actors.spacex.progress_ratio`,
// `schedule[2].set.benefit_sharing_rate`). Lets checks that run after parsing
// (range checks on the typed structs) still point at the offending line.
#pragma once

#include <map>
#include <string>

namespace arcm {

//! A position in a scenario file; line and column are 1-based, 0 = unknown.
struct SourceLocation {
  std::string file;
  int line{0};
  int column{0};
};

//! Dotted key path -> location of that key.
class SourceMap {
public:
  explicit SourceMap(SourceLocation root = {}) : root_(std::move(root)) {}

  void add(const std::string& path, const SourceLocation& where) { locations_[path] = where; }

  //! The location of `path`, or of its nearest recorded ancestor (so a
  //! missing key reports the map that should have held it), or the root.
  const SourceLocation& locate(const std::string& path) const;

  //! Throws ConfigError at `locate(path)`, naming `path` as the key.
  [[noreturn]] void fail(const std::string& path, const std::string& what) const;

private:
  SourceLocation root_;
  std::map<std::string, SourceLocation> locations_;
};

//! `path` without its last component (`a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ``).
std::string parent_path(const std::string& path);

} // namespace arcm
