// Counter-based seeds and the keyed permutation behind the Latin hypercube.
#include "sweep/random.hpp"

#include "core/errors.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace arcm::sweep;

TEST_CASE("seed_for is a pure function of (master, run, stream)", "[sweep][random]") {
  CHECK(seed_for(42, 7, 3) == seed_for(42, 7, 3));
  CHECK(seed_for(42, 7, 3) != seed_for(43, 7, 3));
  CHECK(seed_for(42, 7, 3) != seed_for(42, 8, 3));
  CHECK(seed_for(42, 7, 3) != seed_for(42, 7, 4));
  CHECK(seed_for(42, 7) == seed_for(42, 7, 0));
  // Swapping run and stream must not give the same seed (the two counters are
  // mixed differently).
  CHECK(seed_for(42, 3, 7) != seed_for(42, 7, 3));
}

TEST_CASE("seed_for keeps its published values", "[sweep][random]") {
  // Golden values: a sweep rerun with a later ARCM must reproduce the same
  // parameters. Changing the seeding scheme must be a deliberate, documented
  // break, so these were recorded once from this implementation.
  CHECK(mix64(0) == 0);
  CHECK(mix64(1) == 0x5692161D100B05E5ULL);
  CHECK(seed_for(0, 0, 0) == 0x87F6B51396E75DE4ULL);
  CHECK(seed_for(20240611, 123456789, 5) == 0x09630FEF1C818623ULL);
}

TEST_CASE("seed_for has no collisions over 10^6 (run, stream) pairs", "[sweep][random]") {
  std::vector<std::uint64_t> seeds;
  seeds.reserve(1000000);
  for (std::uint64_t stream = 0; stream < 1000; ++stream)
    for (std::uint64_t run = 0; run < 1000; ++run) seeds.push_back(seed_for(2024, run, stream));
  std::sort(seeds.begin(), seeds.end());
  CHECK(std::adjacent_find(seeds.begin(), seeds.end()) == seeds.end());
}

TEST_CASE("seed_for bits are balanced", "[sweep][random]") {
  // Over n = 10^6 seeds each bit is set with frequency 1/2 +- 0.5/sqrt(n) =
  // 5e-4 (one standard deviation); 0.0025 is 5 sigma, so a fair bit fails with
  // probability ~6e-7 (and the inputs are fixed, so the test is deterministic).
  // Counters differing in one bit (runs 0..999, streams 0..999) are the hard case
  // for a weak mixer.
  constexpr int N = 1000000;
  std::array<int, 64> ones{};
  std::array<int, 64> flips{}; // bit changes between neighbouring runs (avalanche)
  std::uint64_t previous = 0;
  for (int i = 0; i < N; ++i) {
    const std::uint64_t s =
        seed_for(7, static_cast<std::uint64_t>(i % 1000), static_cast<std::uint64_t>(i / 1000));
    for (int b = 0; b < 64; ++b) {
      ones[static_cast<std::size_t>(b)] += static_cast<int>((s >> b) & 1U);
      flips[static_cast<std::size_t>(b)] += static_cast<int>(((s ^ previous) >> b) & 1U);
    }
    previous = s;
  }
  for (int b = 0; b < 64; ++b) {
    INFO("bit " << b);
    CHECK(std::abs(ones[static_cast<std::size_t>(b)] / double(N) - 0.5) < 0.0025);
    CHECK(std::abs(flips[static_cast<std::size_t>(b)] / double(N) - 0.5) < 0.0025);
  }
}

TEST_CASE("uniform01 lies strictly inside (0, 1)", "[sweep][random]") {
  CHECK(to_open_unit(0) > 0.0);
  CHECK(to_open_unit(~std::uint64_t{0}) < 1.0);
  CHECK(to_open_unit(0) == std::ldexp(1.0, -53));
  CHECK(to_open_unit(~std::uint64_t{0}) == 1.0 - std::ldexp(1.0, -53));
  // floor(u * 2^m) recovers the top m bits.
  const std::uint64_t bits = 0xB7E151628AED2A6AULL;
  for (int m = 1; m <= 52; ++m)
    CHECK(std::floor(std::ldexp(to_open_unit(bits), m)) == double(bits >> (64 - m)));
  double sum = 0.0;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const double u = uniform01(1, i, 2);
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  // Mean of 10^5 uniforms: standard error sqrt(1/12/1e5) = 9.1e-4; 5 sigma.
  CHECK(std::abs(sum / 100000.0 - 0.5) < 5 * 9.2e-4);
}

TEST_CASE("KeyedPermutation is a bijection of 0..n-1 with a working inverse", "[sweep][random]") {
  for (std::uint64_t n : {1ULL, 2ULL, 3ULL, 4ULL, 5ULL, 16ULL, 17ULL, 1000ULL, 4099ULL, 65536ULL}) {
    INFO("n = " << n);
    const KeyedPermutation perm(n, seed_for(9, n, 1));
    std::vector<char> seen(n, 0);
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t y = perm(i);
      REQUIRE(y < n);
      REQUIRE(seen[y] == 0);
      seen[y] = 1;
      REQUIRE(perm.inverse(y) == i);
    }
  }
}

TEST_CASE("KeyedPermutation depends on its key and scatters neighbours", "[sweep][random]") {
  const std::uint64_t n = 10000;
  const KeyedPermutation a(n, 1), b(n, 2);
  int same = 0, fixed_points = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    same += a(i) == b(i);
    fixed_points += a(i) == i;
  }
  // Two independent random permutations agree at Poisson(1) places, and a
  // random permutation has Poisson(1) fixed points: 10 is far in the tail.
  CHECK(same < 10);
  CHECK(fixed_points < 10);
  CHECK_THROWS_AS(KeyedPermutation(0, 1), arcm::Error);
}
