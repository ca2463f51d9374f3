#include "hpc/shard.hpp"

#include <cstdio>
#include <filesystem>
#include <regex>

#include "core/errors.hpp"

namespace arcm::hpc {

namespace {

bool parse_whole(const std::string& text, std::size_t& value) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  value = static_cast<std::size_t>(std::stoul(text));
  return true;
}

} // namespace

ShardSpec parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  ShardSpec shard;
  if (slash == std::string::npos || !parse_whole(text.substr(0, slash), shard.index) ||
      !parse_whole(text.substr(slash + 1), shard.count))
    throw Error("--shard takes I/N (shard I of N, I counted from 0), got '" + text + "'");
  if (shard.count == 0 || shard.index >= shard.count)
    throw Error("--shard " + text + ": I must be 0 .. N-1 (shards are counted from 0)");
  return shard;
}

std::pair<std::size_t, std::size_t> shard_range(std::size_t total_runs, const ShardSpec& shard) {
  // 128-bit products would only matter beyond 2^32 runs x 2^32 shards.
  const auto bound = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<unsigned long long>(total_runs) * i / shard.count);
  };
  return {bound(shard.index), bound(shard.index + 1)};
}

std::string shard_file_name(const std::string& sweep_name, const ShardSpec& shard) {
  char text[64];
  std::snprintf(text, sizeof text, ".shard-%04zu-of-%04zu.h5", shard.index, shard.count);
  return sweep_name + text;
}

std::optional<ShardSpec> shard_of_file_name(const std::string& path) {
  static const std::regex pattern(R"(\.shard-([0-9]+)-of-([0-9]+)\.h5(\.partial)?$)");
  const std::string name = std::filesystem::path(path).filename().string();
  std::smatch match;
  if (!std::regex_search(name, match, pattern)) return std::nullopt;
  ShardSpec shard;
  if (!parse_whole(match[1].str(), shard.index) || !parse_whole(match[2].str(), shard.count) ||
      shard.index >= shard.count)
    return std::nullopt;
  return shard;
}

std::string compact_index_list(const std::vector<std::size_t>& sorted_indices) {
  std::string text;
  for (std::size_t i = 0; i < sorted_indices.size();) {
    std::size_t j = i;
    while (j + 1 < sorted_indices.size() && sorted_indices[j + 1] == sorted_indices[j] + 1) ++j;
    if (!text.empty()) text += ",";
    text += std::to_string(sorted_indices[i]);
    if (j > i) text += "-" + std::to_string(sorted_indices[j]);
    i = j + 1;
  }
  return text;
}

} // namespace arcm::hpc
