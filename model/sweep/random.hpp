// Counter-based randomness for parameter sweeps.
//
// Every random number in a sweep is a pure function of (master seed, counter,
// stream): there is no engine state to share, advance or split, so a run's
// parameters never depend on the thread count, the batch size or the order in
// which runs are evaluated. Only 64-bit integer arithmetic is used, so the bits
// are identical on every platform and compiler.
#pragma once

#include <cstdint>

namespace arcm::sweep {

//! The SplitMix64 finalizer (Steele, Lea & Flood 2014, "variant 13" constants of
//! Stafford): a bijection of 64-bit words with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ULL;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z;
}

//! A 64-bit seed for run `run_index` of the sweep started with `master_seed`.
//! `stream` separates independent uses within one run (parameter j, a model's own
//! noise, ...). For fixed (master_seed, stream) the map run_index -> seed is a
//! bijection, so two runs of one stream never share a seed.
std::uint64_t seed_for(std::uint64_t master_seed, std::uint64_t run_index, std::uint64_t stream = 0);

//! Maps 64 random bits to a double in the open interval (0, 1): the top 52 bits
//! k give (k + 1/2) / 2^52, exactly representable, never 0 and never 1.
//! floor(u * 2^m) equals the top m bits of `bits` for every m <= 52.
constexpr double to_open_unit(std::uint64_t bits) {
  constexpr double TWO_POW_MINUS_52 = 1.0 / 4503599627370496.0;
  return (static_cast<double>(bits >> 12) + 0.5) * TWO_POW_MINUS_52;
}

//! A uniform number in (0, 1), never exactly 0 or 1: to_open_unit(seed_for(...)).
double uniform01(std::uint64_t master_seed, std::uint64_t counter, std::uint64_t stream);

//! Stream tags that keep the internal uses of randomness by the designs apart
//! from the per-parameter streams 0..d-1. Their high bits make a clash with a
//! parameter index impossible in practice.
namespace streams {
constexpr std::uint64_t LHS_PERMUTATION = 0x4C48530000000000ULL;    // "LHS"
constexpr std::uint64_t SOBOL_SCRAMBLE = 0x534F420000000000ULL;     // "SOB"
constexpr std::uint64_t MORRIS_START = 0x4D4F520000000000ULL;       // "MOR"
constexpr std::uint64_t MORRIS_PERMUTATION = 0x4D4F500000000000ULL; // "MOP"
} // namespace streams

//! A keyed pseudo-random permutation of [0, n), evaluated one index at a time in
//! O(1) memory: a balanced Feistel network on the smallest even number of bits
//! that covers n, restricted to [0, n) by cycle walking (Black & Rogaway 2002).
//! Cycle walking keeps it a bijection; since the Feistel domain is less than
//! 4n, a call takes fewer than 4 network evaluations on average.
class KeyedPermutation {
public:
  //! A permutation of [0, n) chosen by `key`; n >= 1 and n <= 2^62.
  KeyedPermutation(std::uint64_t n, std::uint64_t key);

  std::uint64_t size() const { return n_; }
  //! The image of i (i < n).
  std::uint64_t operator()(std::uint64_t i) const;
  //! The preimage of y (y < n): inverse(operator()(i)) == i.
  std::uint64_t inverse(std::uint64_t y) const;

private:
  static constexpr int ROUNDS = 6; //!< Luby-Rackoff needs >= 4; 6 costs little more
  std::uint64_t feistel(std::uint64_t x) const;
  std::uint64_t feistel_inverse(std::uint64_t x) const;
  std::uint64_t round_function(int round, std::uint64_t half) const;

  std::uint64_t n_;
  std::uint64_t key_;
  int half_bits_;           //!< bits in each Feistel half
  std::uint64_t half_mask_; //!< (1 << half_bits_) - 1
};

} // namespace arcm::sweep
