#include "sweep/random.hpp"

#include "core/errors.hpp"

#include <string>

namespace arcm::sweep {

namespace {
// Odd constants (the golden ratio and sqrt(3) fractions in 64 bits) so that the
// multiplications below are bijections of 64-bit words.
constexpr std::uint64_t GOLDEN = 0x9E3779B97F4A7C15ULL;
constexpr std::uint64_t SQRT3 = 0xBB67AE8584CAA73BULL;
} // namespace

std::uint64_t seed_for(std::uint64_t master_seed, std::uint64_t run_index, std::uint64_t stream) {
  // Two round keys from (master, stream), then two keyed rounds over the run
  // index, in the spirit of Threefry's key injection. Each step is a bijection
  // of the run index, so runs of one stream cannot collide; the double mixing
  // keeps neighbouring (run, stream) counters uncorrelated.
  const std::uint64_t key0 = mix64(mix64(master_seed ^ GOLDEN) + stream * SQRT3);
  const std::uint64_t key1 = mix64(key0 ^ SQRT3);
  std::uint64_t x = run_index * GOLDEN + key0;
  x = mix64(x);
  x = mix64(x ^ key1);
  return x;
}

double uniform01(std::uint64_t master_seed, std::uint64_t counter, std::uint64_t stream) {
  return to_open_unit(seed_for(master_seed, counter, stream));
}

KeyedPermutation::KeyedPermutation(std::uint64_t n, std::uint64_t key) : n_(n), key_(key) {
  if (n == 0) throw Error("KeyedPermutation: the permuted range must not be empty");
  if (n > (std::uint64_t{1} << 62))
    throw Error("KeyedPermutation: range of " + std::to_string(n) + " exceeds 2^62");
  int bits = 0;
  while (bits < 64 && (std::uint64_t{1} << bits) < n) ++bits;
  half_bits_ = bits < 2 ? 1 : (bits + 1) / 2;
  half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
}

std::uint64_t KeyedPermutation::round_function(int round, std::uint64_t half) const {
  return mix64(key_ ^ (half * GOLDEN) ^ (static_cast<std::uint64_t>(round) * SQRT3)) & half_mask_;
}

std::uint64_t KeyedPermutation::feistel(std::uint64_t x) const {
  std::uint64_t left = x >> half_bits_;
  std::uint64_t right = x & half_mask_;
  for (int round = 0; round < ROUNDS; ++round) {
    const std::uint64_t next_right = left ^ round_function(round, right);
    left = right;
    right = next_right;
  }
  return (left << half_bits_) | right;
}

std::uint64_t KeyedPermutation::feistel_inverse(std::uint64_t x) const {
  std::uint64_t left = x >> half_bits_;
  std::uint64_t right = x & half_mask_;
  for (int round = ROUNDS - 1; round >= 0; --round) {
    const std::uint64_t previous_left = right ^ round_function(round, left);
    right = left;
    left = previous_left;
  }
  return (left << half_bits_) | right;
}

std::uint64_t KeyedPermutation::operator()(std::uint64_t i) const {
  if (n_ == 1) return 0;
  // Cycle walking: the orbit of i < n under the Feistel bijection returns to
  // [0, n), and following it gives a bijection of [0, n).
  std::uint64_t y = feistel(i);
  while (y >= n_) y = feistel(y);
  return y;
}

std::uint64_t KeyedPermutation::inverse(std::uint64_t y) const {
  if (n_ == 1) return 0;
  std::uint64_t x = feistel_inverse(y);
  while (x >= n_) x = feistel_inverse(x);
  return x;
}

} // namespace arcm::sweep
