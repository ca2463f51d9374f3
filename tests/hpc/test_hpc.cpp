// Unit tests of the pieces of model/hpc that need no files or ranks: shard
// ranges and names, the --array list, and the RunResults byte codec.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/errors.hpp"
#include "hpc/run_codec.hpp"
#include "hpc/shard.hpp"

using namespace arcm;

TEST_CASE("shards cover every run exactly once, in contiguous ranges of near-equal size", "[hpc]") {
  for (std::size_t total : {1u, 7u, 300u, 1000003u})
    for (std::size_t count : {1u, 2u, 3u, 16u, 1000u}) {
      if (count > total) continue;
      std::size_t next = 0, smallest = total, largest = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const auto [first, end] = hpc::shard_range(total, {i, count});
        REQUIRE(first == next);
        smallest = std::min(smallest, end - first);
        largest = std::max(largest, end - first);
        next = end;
      }
      CHECK(next == total);
      CHECK(largest - smallest <= 1);
      CHECK(smallest >= 1);
    }
  CHECK(hpc::shard_range(300, {1, 5}) == std::pair<std::size_t, std::size_t>{60, 120});
}

TEST_CASE("shard I/N is parsed strictly, counted from 0", "[hpc]") {
  const hpc::ShardSpec shard = hpc::parse_shard("3/16");
  CHECK(shard.index == 3);
  CHECK(shard.count == 16);
  for (const char* bad : {"16/16", "3", "/4", "3/", "a/4", "-1/4", "0/0", "1/2/3", " 1/2"})
    CHECK_THROWS_AS(hpc::parse_shard(bad), Error);
}

TEST_CASE("shard file names round-trip, with or without .partial", "[hpc]") {
  CHECK(hpc::shard_file_name("grid", {3, 16}) == "grid.shard-0003-of-0016.h5");
  CHECK(hpc::shard_file_name("grid", {12345, 20000}) == "grid.shard-12345-of-20000.h5");
  for (const char* name : {"runs/grid.shard-0003-of-0016.h5", "grid.shard-0003-of-0016.h5.partial"}) {
    const auto shard = hpc::shard_of_file_name(name);
    REQUIRE(shard);
    CHECK(shard->index == 3);
    CHECK(shard->count == 16);
  }
  CHECK_FALSE(hpc::shard_of_file_name("grid.h5"));
  CHECK_FALSE(hpc::shard_of_file_name("grid.shard-0016-of-0016.h5"));
}

TEST_CASE("the --array list compacts consecutive indices", "[hpc]") {
  CHECK(hpc::compact_index_list({}) == "");
  CHECK(hpc::compact_index_list({4}) == "4");
  CHECK(hpc::compact_index_list({3, 7, 12, 13, 14}) == "3,7,12-14");
  CHECK(hpc::compact_index_list({0, 1, 3, 4, 6}) == "0-1,3-4,6");
}

TEST_CASE("RunResults survive the byte codec bit for bit", "[hpc]") {
  RunResults a;
  a.time = {2025, 2026};
  a.actor = {"us", "spacex"};
  a.actor_bloc = {"artemis", ""};
  a.trajectories.push_back({"price",
                            "market price",
                            "M$/t",
                            {"time", "resource"},
                            {1.5, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e300}});
  a.summary.push_back({"tension_final", "tension", "1", {}, {0.25}});
  a.status = RunStatus::kessler;
  a.message = "Kessler cascade at 2031.5";
  a.stop_time = 2031.5;
  a.wall_seconds = 0.004;
  a.rhs_evaluations = 123456789012L;
  a.accepted_steps = 17;
  a.rejected_steps = 2;
  RunResults b = a;
  b.status = RunStatus::failed;
  b.message.clear();

  std::vector<char> buffer;
  hpc::encode_run(41, a, buffer);
  hpc::encode_run(42, b, buffer);
  std::size_t offset = 0;
  std::uint64_t run = 0;
  const RunResults a2 = hpc::decode_run(buffer, offset, run);
  CHECK(run == 41);
  const RunResults b2 = hpc::decode_run(buffer, offset, run);
  CHECK(run == 42);
  CHECK(offset == buffer.size());
  CHECK(a2.time == a.time);
  CHECK(a2.actor == a.actor);
  CHECK(a2.actor_bloc == a.actor_bloc);
  REQUIRE(a2.trajectories.size() == 1);
  CHECK(a2.trajectories[0].dims == a.trajectories[0].dims);
  CHECK(std::memcmp(a2.trajectories[0].data.data(), a.trajectories[0].data.data(), 4 * sizeof(double)) == 0);
  CHECK(a2.summary[0].data == a.summary[0].data);
  CHECK(a2.status == RunStatus::kessler);
  CHECK(a2.message == a.message);
  CHECK(a2.rhs_evaluations == a.rhs_evaluations);
  CHECK(a2.rejected_steps == 2);
  CHECK(b2.status == RunStatus::failed);
  CHECK(b2.message.empty());

  buffer.resize(buffer.size() - 3);
  offset = 0;
  hpc::decode_run(buffer, offset, run);
  CHECK_THROWS_AS(hpc::decode_run(buffer, offset, run), Error);
}
