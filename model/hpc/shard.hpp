// Shards of a sweep: `arcm sweep SWEEP.yaml --shard I/N` runs the I-th of N
// contiguous run ranges into its own file, for job arrays. The range depends
// only on (total runs, I, N), so every array task finds its runs alone and
// `arcm merge` / `arcm status` can tell which shards are missing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace arcm::hpc {

//! Shard `index` of `count` (0 <= index < count).
struct ShardSpec {
  std::size_t index{0};
  std::size_t count{1};
};

//! Parses "I/N" (0-based I, 0 <= I < N); throws arcm::Error with the reason.
ShardSpec parse_shard(const std::string& text);

//! The runs [first, second) of a shard: floor(I*total/N) .. floor((I+1)*total/N),
//! so shard sizes differ by at most one run. Empty when N > total for some I.
std::pair<std::size_t, std::size_t> shard_range(std::size_t total_runs, const ShardSpec& shard);

//! "<name>.shard-IIII-of-NNNN.h5" (at least four digits, zero padded).
std::string shard_file_name(const std::string& sweep_name, const ShardSpec& shard);

//! The shard a file name of shard_file_name() form (with any directory, and
//! with or without ".partial") stands for; nullopt for other names.
std::optional<ShardSpec> shard_of_file_name(const std::string& path);

//! Slurm's compact list of indices: {3, 7, 12, 13, 14} -> "3,7,12-14".
std::string compact_index_list(const std::vector<std::size_t>& sorted_indices);

} // namespace arcm::hpc
