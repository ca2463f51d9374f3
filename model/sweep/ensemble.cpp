#include "sweep/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace arcm::sweep {

namespace {

// First two doubles of an exported state: a tag that a foreign array is
// unlikely to start with ("ARCE" as a 32-bit integer) and the layout version.
constexpr double STATE_TAG = 1095910213.0;
constexpr double STATE_VERSION = 1.0;
constexpr std::size_t STATE_HEADER = 4; // tag, version, E, m (then the levels)

// Offsets inside one element's block.
constexpr std::size_t COUNT = 0;   // contributing runs
constexpr std::size_t MEAN = 1;    // running mean
constexpr std::size_t M2 = 2;      // sum of squared deviations from the mean
constexpr std::size_t HEIGHTS = 3; // marker heights, then interior marker positions

constexpr double NOT_A_NUMBER = std::numeric_limits<double>::quiet_NaN();

void check_levels(const std::vector<double>& levels) {
  if (levels.empty()) throw Error("ensemble statistics: at least one quantile level is needed");
  double previous = 0.0;
  for (double level : levels) {
    // Written so that NaN fails too.
    if (!(level > previous && level < 1.0))
      throw Error("ensemble statistics: quantile levels must be strictly increasing inside (0, 1), got " +
                  std::to_string(level));
    previous = level;
  }
}

// The probabilities tracked by the extended P² marker set: the minimum, the
// maximum, every level, and the mid-points between neighbouring levels (and
// between the outer levels and 0 or 1).
std::vector<double> marker_probabilities(const std::vector<double>& levels) {
  std::vector<double> probs{0.0};
  double previous = 0.0;
  for (double level : levels) {
    probs.push_back(0.5 * (previous + level));
    probs.push_back(level);
    previous = level;
  }
  probs.push_back(0.5 * (previous + 1.0));
  probs.push_back(1.0);
  return probs;
}

// Type 7 quantile of a sorted sample of n >= 1 values. The clamp keeps the
// rounding of the interpolation from stepping outside [x[lo], x[lo+1]], which
// makes the result non-decreasing in p (so reported quantiles stay ordered).
double sorted_sample_quantile(const double* sorted, std::size_t n, double p) {
  const double h = static_cast<double>(n - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= n) return sorted[n - 1];
  const double fraction = h - static_cast<double>(lo);
  const double value = sorted[lo] + fraction * (sorted[lo + 1] - sorted[lo]);
  return std::min(std::max(value, sorted[lo]), sorted[lo + 1]);
}

// Step 3 of P² for interior marker i (of markers 0 ... last) once n values
// are in: its move (step ±1, or 0 when it stays) and the positions of it and
// its neighbours. `spread` is (n − 1) p for the marker's probability p.
struct MarkerMove {
  double step, below, here, above;
};
inline MarkerMove marker_move(const double* position, std::size_t i, std::size_t last, double n,
                              double spread) {
  const double here = position[i - 1];
  const double offset = 1.0 + spread - here;
  // Usually the marker is within one position of where it should be; this
  // test first keeps that common case short.
  if (offset < 1.0 && offset > -1.0) return {0.0, 0.0, here, 0.0};
  const double step = offset > 0.0 ? 1.0 : -1.0;
  const double below = (i == 1) ? 1.0 : position[i - 2];
  const double above = (i + 1 == last) ? n : position[i];
  // Moving onto the neighbour's position would leave a cell without values.
  if ((step > 0.0 ? above - here : here - below) <= 1.0) return {0.0, below, here, above};
  return {step, below, here, above};
}

bool is_count(double value) {
  return value >= 0.0 && value < 9.0e15 && value == std::floor(value);
}

} // namespace

std::vector<double> EnsembleAccumulator::default_levels() {
  return {0.05, 0.25, 0.5, 0.75, 0.95};
}

EnsembleAccumulator::EnsembleAccumulator(std::size_t n_elements, std::vector<double> levels)
    : n_elements_(n_elements), levels_(std::move(levels)) {
  check_levels(levels_);
  marker_prob_ = marker_probabilities(levels_);
  block_size_ = state_doubles_per_element(levels_.size());
  blocks_.assign(n_elements_ * block_size_, 0.0);
}

void EnsembleAccumulator::add_elements(const double* run_values, std::size_t first, std::size_t last) {
  if (first > last || last > n_elements_)
    throw std::out_of_range("EnsembleAccumulator::add_elements: range [" + std::to_string(first) + ", " +
                            std::to_string(last) + ") outside " + std::to_string(n_elements_) + " elements");
  for (std::size_t e = first; e < last; ++e) {
    const double value = run_values[e];
    if (std::isfinite(value)) add_value(&blocks_[e * block_size_], value);
  }
}

void EnsembleAccumulator::add_runs(const double* const* runs, std::size_t n_runs, std::size_t first,
                                   std::size_t last) {
  if (first > last || last > n_elements_)
    throw std::out_of_range("EnsembleAccumulator::add_runs: range [" + std::to_string(first) + ", " +
                            std::to_string(last) + ") outside " + std::to_string(n_elements_) + " elements");
  for (std::size_t e = first; e < last; ++e) {
    double* block = &blocks_[e * block_size_];
    for (std::size_t r = 0; r < n_runs; ++r) {
      const double value = runs[r][e - first];
      if (std::isfinite(value)) add_value(block, value);
    }
  }
}

// One finite value into one element's block.
void EnsembleAccumulator::add_value(double* block, double value) const {
  // Welford: the mean moves by delta/n and M2 gains delta*(value - new mean),
  // which avoids the cancellation of the sum-of-squares formula.
  const double n = block[COUNT] + 1.0;
  const double delta = value - block[MEAN];
  block[MEAN] += delta / n;
  block[M2] += delta * (value - block[MEAN]);
  block[COUNT] = n;

  const std::size_t n_markers = marker_prob_.size();
  double* height = block + HEIGHTS;
  const auto n_old = static_cast<std::size_t>(n) - 1;

  if (n_old < n_markers) {
    // Too few values for P²: keep the sample itself, sorted (insertion sort;
    // equal values go after the ones already there).
    std::size_t slot = n_old;
    while (slot > 0 && height[slot - 1] > value) {
      height[slot] = height[slot - 1];
      --slot;
    }
    height[slot] = value;
    if (n_old + 1 == n_markers) {
      // The sample fills the marker set: marker i sits at sample position i+1
      // (1-based), which is where P² starts from.
      double* position = height + n_markers;
      for (std::size_t i = 1; i + 1 < n_markers; ++i) position[i - 1] = static_cast<double>(i + 1);
    }
    return;
  }

  // P² step. Marker i has height height[i] and (1-based) position: 1 for the
  // minimum marker, n for the maximum marker, position[i-1] for the others.
  double* position = height + n_markers;
  const std::size_t last = n_markers - 1;

  // Every marker sits at this very value (the same bits): P² would only move
  // the interior markers' positions, since the parabola and the line both give
  // back the height a marker has. So do just that, without the arithmetic on
  // heights, which is most of the cost: 23 % of the elements of the
  // launch_cost_lhs sweep are the same in every run (the start, plants that
  // never enter). Not for −0: the zeros that arithmetic gives can carry the
  // other sign. The two comparisons turn most other elements away at once.
  if (height[0] == value && height[last] == value && all_markers_at(height, value)) {
    move_positions_of_constant(position, n);
    return;
  }

  // 1. Stretch the extreme markers when the value lies outside them.
  if (value < height[0]) height[0] = value;
  if (value > height[last]) height[last] = value;

  // 2. Every interior marker above the value now has one more value below it
  //    (the maximum marker's position is n itself). The heights are sorted, so
  //    these are the markers above the cell the value falls in; testing each
  //    marker instead of searching for the cell avoids a data-dependent
  //    branch per marker.
  for (std::size_t i = 1; i < last; ++i) position[i - 1] += value < height[i] ? 1.0 : 0.0;

  // 3. Move each interior marker by at most one position towards where its
  //    probability says it should be, 1 + (n-1)p, provided that does not make
  //    it collide with a neighbour. The desired position is computed from n
  //    rather than accumulated, so it carries no rounding history.
  const double n_minus_one = n - 1.0;
  const double* prob = marker_prob_.data();
  for (std::size_t i = 1; i < last; ++i) {
    const MarkerMove move = marker_move(position, i, last, n, n_minus_one * prob[i]);
    if (move.step == 0.0) continue;
    const double step = move.step, below = move.below, here = move.here, above = move.above;

    const double h_below = height[i - 1];
    const double h_here = height[i];
    const double h_above = height[i + 1];
    // Piecewise-parabolic (P²) prediction of the height at the new position:
    // a parabola through the marker and its two neighbours.
    const double parabolic = h_here + step / (above - below) *
                                          ((here - below + step) * (h_above - h_here) / (above - here) +
                                           (above - here - step) * (h_here - h_below) / (here - below));
    if (h_below < parabolic && parabolic < h_above) {
      height[i] = parabolic;
    } else {
      // The parabola would reorder the markers: interpolate linearly towards
      // the neighbour in the direction of the move instead. The neighbour is
      // at least two positions away, so this goes at most half-way; the clamp
      // only guards against rounding, keeping the heights non-decreasing.
      const double linear = step > 0.0 ? h_here + (h_above - h_here) / (above - here)
                                       : h_here - (h_here - h_below) / (here - below);
      height[i] = std::min(std::max(linear, h_below), h_above);
    }
    position[i - 1] = here + step;
  }
}

// True when every marker height has the bits of `value`, and `value` is not −0.
bool EnsembleAccumulator::all_markers_at(const double* height, double value) const {
  if (value == 0.0 && std::signbit(value)) return false;
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  for (std::size_t i = 0; i < marker_prob_.size(); ++i) {
    std::uint64_t marker = 0;
    std::memcpy(&marker, &height[i], sizeof marker);
    if (marker != bits) return false;
  }
  return true;
}

// Step 3 of add_value() for an element whose every value so far was the same:
// the position moves alone (step 2 moves nothing, no value being below a
// marker). Its tests are add_value's, in the same order, on the same numbers.
void EnsembleAccumulator::move_positions_of_constant(double* position, double n) const {
  const std::size_t last = marker_prob_.size() - 1;
  const double n_minus_one = n - 1.0;
  const double* prob = marker_prob_.data();
  for (std::size_t i = 1; i < last; ++i) {
    const MarkerMove move = marker_move(position, i, last, n, n_minus_one * prob[i]);
    if (move.step != 0.0) position[i - 1] = move.here + move.step;
  }
}

const double* EnsembleAccumulator::block(std::size_t e) const {
  if (e >= n_elements_)
    throw std::out_of_range("EnsembleAccumulator: element " + std::to_string(e) + " of " +
                            std::to_string(n_elements_));
  return &blocks_[e * block_size_];
}

std::size_t EnsembleAccumulator::count(std::size_t e) const {
  return static_cast<std::size_t>(block(e)[COUNT]);
}

double EnsembleAccumulator::mean(std::size_t e) const {
  const double* b = block(e);
  return b[COUNT] > 0.0 ? b[MEAN] : NOT_A_NUMBER;
}

double EnsembleAccumulator::stddev(std::size_t e) const {
  const double* b = block(e);
  return b[COUNT] > 1.0 ? std::sqrt(b[M2] / (b[COUNT] - 1.0)) : NOT_A_NUMBER;
}

double EnsembleAccumulator::min(std::size_t e) const {
  const double* b = block(e);
  return b[COUNT] > 0.0 ? b[HEIGHTS] : NOT_A_NUMBER;
}

double EnsembleAccumulator::max(std::size_t e) const {
  const double* b = block(e);
  const std::size_t n = count(e);
  if (n == 0) return NOT_A_NUMBER;
  // The sorted sample's last value, or the maximum marker.
  return b[HEIGHTS + std::min(n, marker_count()) - 1];
}

double EnsembleAccumulator::quantile(std::size_t level, std::size_t e) const {
  if (level >= levels_.size())
    throw std::out_of_range("EnsembleAccumulator: quantile level " + std::to_string(level) + " of " +
                            std::to_string(levels_.size()));
  const double* b = block(e);
  const std::size_t n = count(e);
  if (n == 0) return NOT_A_NUMBER;
  if (n <= marker_count()) return sorted_sample_quantile(b + HEIGHTS, n, levels_[level]);
  return b[HEIGHTS + 2 * level + 2]; // markers: min, mid, p1, mid, p2, ...
}

std::vector<double> EnsembleAccumulator::export_state() const {
  std::vector<double> state;
  state.reserve(STATE_HEADER + levels_.size() + blocks_.size());
  state.push_back(STATE_TAG);
  state.push_back(STATE_VERSION);
  state.push_back(static_cast<double>(n_elements_));
  state.push_back(static_cast<double>(levels_.size()));
  state.insert(state.end(), levels_.begin(), levels_.end());
  state.insert(state.end(), blocks_.begin(), blocks_.end());
  return state;
}

EnsembleAccumulator EnsembleAccumulator::import_state(const std::vector<double>& state) {
  const std::string what = "ensemble statistics: checkpoint state ";
  if (state.size() < STATE_HEADER || state[0] != STATE_TAG)
    throw Error(what + "is not an ensemble accumulator state");
  if (state[1] != STATE_VERSION)
    throw Error(what + "has layout version " + std::to_string(state[1]) + ", this build reads " +
                std::to_string(STATE_VERSION));
  if (!is_count(state[2]) || !is_count(state[3])) throw Error(what + "has an invalid element or level count");
  const auto n_elements = static_cast<std::size_t>(state[2]);
  const auto n_levels = static_cast<std::size_t>(state[3]);
  // Each element and level takes at least one value, which also keeps the
  // expected size below from overflowing.
  if (n_elements > state.size() || n_levels > state.size())
    throw Error(what + "has " + std::to_string(state.size()) + " values, too few for its header");
  const std::size_t expected = STATE_HEADER + n_levels + n_elements * state_doubles_per_element(n_levels);
  if (state.size() != expected)
    throw Error(what + "has " + std::to_string(state.size()) + " values, expected " +
                std::to_string(expected));

  const auto levels_begin = state.begin() + static_cast<std::ptrdiff_t>(STATE_HEADER);
  const auto blocks_begin = levels_begin + static_cast<std::ptrdiff_t>(n_levels);
  EnsembleAccumulator restored(n_elements, std::vector<double>(levels_begin, blocks_begin));
  std::copy(blocks_begin, state.end(), restored.blocks_.begin());
  for (std::size_t e = 0; e < n_elements; ++e)
    if (!is_count(restored.blocks_[e * restored.block_size_ + COUNT]))
      throw Error(what + "has an invalid run count for element " + std::to_string(e));
  return restored;
}

} // namespace arcm::sweep
