#include "scenario/source_map.hpp"

#include "core/errors.hpp"

namespace arcm {

std::string parent_path(const std::string& path) {
  const std::size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? std::string{} : path.substr(0, cut);
}

const SourceLocation& SourceMap::locate(const std::string& path) const {
  for (std::string candidate = path; !candidate.empty(); candidate = parent_path(candidate)) {
    const auto found = locations_.find(candidate);
    if (found != locations_.end()) return found->second;
  }
  return root_;
}

void SourceMap::fail(const std::string& path, const std::string& what) const {
  const SourceLocation& where = locate(path);
  throw ConfigError(where.file, where.line, where.column, path, what);
}

} // namespace arcm
