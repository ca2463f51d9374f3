#include "sweep/designs.hpp"

#include "core/errors.hpp"
#include "sweep/random.hpp"
#include "sweep/sobol_directions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace arcm::sweep {

namespace {

std::string str(std::size_t n) {
  return std::to_string(n);
}

//! a * b, or an arcm::Error naming `what` when it does not fit in size_t.
std::size_t checked_product(std::size_t a, std::size_t b, const std::string& what) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a)
    throw Error(what + ": the number of runs overflows");
  return a * b;
}

bool is_power_of_two(std::size_t n) {
  return n != 0 && (n & (n - 1)) == 0;
}

} // namespace

// ---------------------------------------------------------------------------
// Design

void Design::check_run(std::size_t run) const {
  if (run >= size())
    throw Error("run index " + str(run) + " is out of range: the design has " + str(size()) + " runs");
}

void Design::values(std::size_t run, double* out) const {
  check_run(run);
  compute_values(run, out);
}

std::vector<double> Design::values(std::size_t run) const {
  std::vector<double> out(dimension());
  values(run, out.data());
  return out;
}

// ---------------------------------------------------------------------------
// Grid

std::vector<double> linspace(double a, double b, std::size_t n) {
  if (!std::isfinite(a) || !std::isfinite(b)) throw Error("linspace: endpoints must be finite");
  if (n < 2) throw Error("linspace: needs n >= 2 points (give a single value as a list), got " + str(n));
  std::vector<double> v(n);
  const double last = static_cast<double>(n - 1);
  const double low = std::min(a, b), high = std::max(a, b);
  for (std::size_t i = 0; i < n; ++i) {
    // Interpolating from the nearer endpoint keeps the rounding error small at
    // both ends; the clamp stops a last-digit overshoot beyond [a, b].
    const double t = static_cast<double>(i) / last;
    const double x = i * 2 < n ? a + (b - a) * t : b - (b - a) * (1.0 - t);
    v[i] = std::clamp(x, low, high);
  }
  v.front() = a;
  v.back() = b;
  return v;
}

std::vector<double> logspace(double a, double b, std::size_t n) {
  if (!(a > 0.0) || !(b > 0.0) || !std::isfinite(a) || !std::isfinite(b))
    throw Error("logspace: endpoints must be finite and > 0, got " + std::to_string(a) + " and " +
                std::to_string(b));
  std::vector<double> v = linspace(std::log(a), std::log(b), n);
  const double low = std::min(a, b), high = std::max(a, b);
  for (double& x : v) x = std::clamp(std::exp(x), low, high);
  v.front() = a;
  v.back() = b;
  return v;
}

GridDesign::GridDesign(std::vector<std::vector<double>> axes) : axes_(std::move(axes)), size_(1) {
  if (axes_.empty()) throw Error("grid design: needs at least one axis");
  for (std::size_t j = 0; j < axes_.size(); ++j) {
    if (axes_[j].empty()) throw Error("grid design: axis " + str(j) + " has no values");
    for (double x : axes_[j])
      if (!std::isfinite(x)) throw Error("grid design: axis " + str(j) + " has a non-finite value");
    size_ = checked_product(size_, axes_[j].size(), "grid design");
  }
}

void GridDesign::indices(std::size_t run, std::size_t* index) const {
  check_run(run);
  // Mixed-radix digits, least significant = last axis.
  for (std::size_t j = axes_.size(); j-- > 0;) {
    index[j] = run % axes_[j].size();
    run /= axes_[j].size();
  }
}

void GridDesign::compute_values(std::size_t run, double* out) const {
  for (std::size_t j = axes_.size(); j-- > 0;) {
    out[j] = axes_[j][run % axes_[j].size()];
    run /= axes_[j].size();
  }
}

// ---------------------------------------------------------------------------
// Unit-cube designs

UnitCubeDesign::UnitCubeDesign(std::vector<Distribution> distributions, const char* design)
    : distributions_(std::move(distributions)) {
  if (distributions_.empty()) throw Error(std::string(design) + ": needs at least one parameter");
}

void UnitCubeDesign::unit_point(std::size_t run, double* u) const {
  check_run(run);
  compute_unit_point(run, u);
}

void UnitCubeDesign::compute_values(std::size_t run, double* out) const {
  // The unit point is written into `out` and transformed in place: no scratch
  // memory, no allocation on the per-run path.
  compute_unit_point(run, out);
  for (std::size_t j = 0; j < distributions_.size(); ++j) out[j] = distributions_[j].quantile(out[j]);
}

MonteCarloDesign::MonteCarloDesign(std::vector<Distribution> distributions, std::size_t n_runs,
                                   std::uint64_t master_seed)
    : UnitCubeDesign(std::move(distributions), "monte_carlo design"), n_runs_(n_runs),
      master_seed_(master_seed) {
  if (n_runs == 0) throw Error("monte_carlo design: needs at least one run");
}

void MonteCarloDesign::compute_unit_point(std::size_t run, double* u) const {
  for (std::size_t j = 0; j < dimension(); ++j) u[j] = uniform01(master_seed_, run, j);
}

LatinHypercubeDesign::LatinHypercubeDesign(std::vector<Distribution> distributions, std::size_t n_runs,
                                           std::uint64_t master_seed)
    : UnitCubeDesign(std::move(distributions), "latin_hypercube design"), n_runs_(n_runs),
      master_seed_(master_seed) {
  if (n_runs == 0) throw Error("latin_hypercube design: needs at least one run");
  if (static_cast<std::uint64_t>(n_runs) > (std::uint64_t{1} << 62))
    throw Error("latin_hypercube design: at most 2^62 runs, got " + str(n_runs));
  permutations_.reserve(dimension());
  for (std::size_t j = 0; j < dimension(); ++j)
    permutations_.emplace_back(n_runs, seed_for(master_seed, j, streams::LHS_PERMUTATION));
}

std::size_t LatinHypercubeDesign::stratum(std::size_t run, std::size_t j) const {
  check_run(run);
  if (j >= dimension()) throw Error("latin_hypercube design: no parameter " + str(j));
  return static_cast<std::size_t>(permutations_[j](run));
}

void LatinHypercubeDesign::compute_unit_point(std::size_t run, double* u) const {
  const double n = static_cast<double>(n_runs_);
  for (std::size_t j = 0; j < dimension(); ++j) {
    const std::size_t k = static_cast<std::size_t>(permutations_[j](run));
    const double jitter = uniform01(master_seed_, run, j);
    double x = (static_cast<double>(k) + jitter) / n;
    // (k + jitter) / N can round onto a stratum boundary; step by ulps until
    // floor(x * N) is k again, so the stratification holds exactly as tested.
    while (x * n >= static_cast<double>(k + 1) || x >= 1.0) x = std::nextafter(x, 0.0);
    while (x * n < static_cast<double>(k) || x <= 0.0) x = std::nextafter(x, 1.0);
    u[j] = x;
  }
}

// ---------------------------------------------------------------------------
// Sobol

SobolSequence::SobolSequence(std::size_t dimensions, SobolScrambling scrambling, std::uint64_t seed)
    : directions_(dimensions), scrambling_(scrambling) {
  if (dimensions == 0) throw Error("Sobol sequence: needs at least one dimension");
  if (dimensions > static_cast<std::size_t>(SOBOL_MAX_DIMENSION))
    throw Error("Sobol sequence: " + str(dimensions) + " dimensions requested, but direction numbers are " +
                "tabulated for " + std::to_string(SOBOL_MAX_DIMENSION) + " only");
  // Dimension 1: v_k = 2^-k, the van der Corput sequence.
  for (int k = 0; k < 32; ++k) directions_[0][static_cast<std::size_t>(k)] = std::uint32_t{1} << (31 - k);
  // Higher dimensions: the recurrence of Bratley & Fox (1988) on m_k, written
  // on the 32-bit fractions v_k = m_k / 2^k:
  //   v_k = a_1 v_{k-1} ^ ... ^ a_{s-1} v_{k-s+1} ^ v_{k-s} ^ (v_{k-s} >> s).
  for (std::size_t dim = 1; dim < dimensions; ++dim) {
    const SobolPolynomial& row = SOBOL_JOE_KUO[dim - 1];
    const int s = row.degree;
    auto& v = directions_[dim];
    for (int k = 0; k < 32; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if (k < s) {
        v[uk] = row.m[uk] << (31 - k);
        continue;
      }
      std::uint32_t x = v[uk - static_cast<std::size_t>(s)];
      x ^= x >> s;
      for (int i = 1; i < s; ++i)
        if ((row.coefficients >> (s - 1 - i)) & 1U) x ^= v[uk - static_cast<std::size_t>(i)];
      v[uk] = x;
    }
  }
  if (scrambling == SobolScrambling::owen) {
    scramble_keys_.resize(dimensions);
    for (std::size_t dim = 0; dim < dimensions; ++dim)
      scramble_keys_[dim] = seed_for(seed, dim, streams::SOBOL_SCRAMBLE);
  }
}

std::uint32_t SobolSequence::digits(std::uint64_t index, std::size_t dim) const {
  if (index > 0xFFFFFFFFULL) throw Error("Sobol sequence: point index beyond 2^32 - 1");
  // Gray-code order: point i is the XOR of the direction numbers selected by
  // the bits of gray(i) = i ^ (i >> 1), so it can be computed without its
  // predecessors.
  const std::uint64_t gray = index ^ (index >> 1);
  std::uint32_t x = 0;
  const auto& v = directions_[dim];
  for (std::size_t k = 0; k < 32; ++k)
    if ((gray >> k) & 1U) x ^= v[k];
  return x;
}

namespace {

//! A random bit for the node of the binary digit tree reached after `level`
//! leading digits equal to `prefix` (heap numbering makes nodes unique).
std::uint64_t node_hash(std::uint64_t key, int level, std::uint64_t prefix) {
  const std::uint64_t node = (std::uint64_t{1} << level) | prefix;
  return mix64(key ^ (node * 0x9E3779B97F4A7C15ULL));
}

//! Owen's nested uniform scramble of a 32-digit binary fraction: digit k is
//! flipped by a random bit that depends on the digits before it, so two points
//! sharing their first m digits still share them after scrambling. Every
//! elementary interval is therefore mapped onto an elementary interval of the
//! same size and a (t,m,s)-net stays a (t,m,s)-net. The digits below 2^-32 are
//! filled with random bits drawn from the full 32-digit prefix, as the infinite
//! scramble would. Returns a 64-bit fraction.
std::uint64_t owen_scramble(std::uint32_t x, std::uint64_t key) {
  std::uint32_t flips = 0;
  for (int level = 0; level < 32; ++level) {
    const std::uint64_t prefix = level == 0 ? 0 : x >> (32 - level);
    flips |= static_cast<std::uint32_t>(node_hash(key, level, prefix) >> 63) << (31 - level);
  }
  const std::uint64_t lower_digits = node_hash(key, 32, x) >> 32;
  return (static_cast<std::uint64_t>(x ^ flips) << 32) | lower_digits;
}

} // namespace

double SobolSequence::coordinate(std::uint64_t index, std::size_t dim) const {
  const std::uint32_t x = digits(index, dim);
  if (scrambling_ == SobolScrambling::owen) return to_open_unit(owen_scramble(x, scramble_keys_[dim]));
  // The centre of the 2^-32 cell: inside (0, 1) (the origin is point 0) and in
  // the same elementary intervals as x / 2^32.
  return to_open_unit((static_cast<std::uint64_t>(x) << 32) | 0x80000000ULL);
}

SobolSaltelliDesign::SobolSaltelliDesign(std::vector<Distribution> distributions, std::size_t n_base,
                                         std::uint64_t master_seed, std::size_t skip,
                                         SobolScrambling scrambling)
    : UnitCubeDesign(std::move(distributions), "sobol design"), n_base_(n_base), skip_(skip),
      // Clamped so that too many parameters reach the clear message below
      // instead of the sequence's own.
      sequence_(std::min<std::size_t>(2 * dimension(), SOBOL_MAX_DIMENSION), scrambling, master_seed) {
  const std::size_t max_parameters = SOBOL_MAX_DIMENSION / 2;
  if (dimension() > max_parameters)
    throw Error("sobol design: " + str(dimension()) + " parameters, but at most " + str(max_parameters) +
                " are supported (the Saltelli scheme needs 2 Sobol dimensions per parameter and " +
                std::to_string(SOBOL_MAX_DIMENSION) + " are tabulated)");
  if (!is_power_of_two(n_base))
    throw Error("sobol design: the base sample size must be a power of two (Sobol points are balanced only "
                "in blocks of 2^m), got " +
                str(n_base));
  if (skip % n_base != 0)
    throw Error("sobol design: skip must be a multiple of the base sample size " + str(n_base) +
                " to keep the points balanced, got " + str(skip));
  if (static_cast<std::uint64_t>(skip) + n_base > (std::uint64_t{1} << 32))
    throw Error("sobol design: skip + base sample size exceeds the 2^32 points of the sequence");
  checked_product(n_base, dimension() + 2, "sobol design");
}

SaltelliRole SobolSaltelliDesign::role(std::size_t run) const {
  check_run(run);
  const std::size_t block = dimension() + 2;
  const std::size_t base = run / block;
  const std::size_t slot = run % block;
  if (slot == 0) return {base, SaltelliMatrix::A, 0};
  if (slot == block - 1) return {base, SaltelliMatrix::B, 0};
  return {base, SaltelliMatrix::AB, slot - 1};
}

void SobolSaltelliDesign::a_point(std::size_t base, double* u) const {
  if (base >= n_base_) throw Error("sobol design: base sample " + str(base) + " out of range");
  for (std::size_t j = 0; j < dimension(); ++j) u[j] = sequence_.coordinate(skip_ + base, j);
}

void SobolSaltelliDesign::b_point(std::size_t base, double* u) const {
  if (base >= n_base_) throw Error("sobol design: base sample " + str(base) + " out of range");
  for (std::size_t j = 0; j < dimension(); ++j) u[j] = sequence_.coordinate(skip_ + base, dimension() + j);
}

void SobolSaltelliDesign::compute_unit_point(std::size_t run, double* u) const {
  const SaltelliRole r = role(run);
  const std::size_t d = dimension();
  for (std::size_t j = 0; j < d; ++j) {
    const bool from_b = r.matrix == SaltelliMatrix::B || (r.matrix == SaltelliMatrix::AB && r.parameter == j);
    u[j] = sequence_.coordinate(skip_ + r.base, from_b ? d + j : j);
  }
}

// ---------------------------------------------------------------------------
// Morris

MorrisDesign::MorrisDesign(std::vector<Distribution> distributions, std::size_t r_trajectories,
                           std::size_t p_levels, std::uint64_t master_seed)
    : UnitCubeDesign(std::move(distributions), "morris design"), r_(r_trajectories), p_(p_levels),
      master_seed_(master_seed) {
  if (r_ == 0) throw Error("morris design: needs at least one trajectory");
  if (p_ < 2 || p_ % 2 != 0)
    throw Error("morris design: the number of levels p must be even and >= 2 (so that Delta = p/(2(p-1)) is "
                "p/2 grid steps), got " +
                str(p_));
  if (p_ > (std::size_t{1} << 30)) throw Error("morris design: at most 2^30 levels, got " + str(p_));
  for (std::size_t j = 0; j < dimension(); ++j)
    if (!this->distributions()[j].bounded())
      throw Error("morris design: parameter " + str(j) + " has the unbounded distribution " +
                  this->distributions()[j].describe() +
                  "; Morris levels span the whole support, so give a bounded distribution "
                  "(uniform, loguniform, triangular or discrete)");
  checked_product(r_, dimension() + 1, "morris design");
}

double MorrisDesign::delta() const {
  return static_cast<double>(p_) / (2.0 * static_cast<double>(p_ - 1));
}

namespace {

//! The random choices of one trajectory, re-derived on every call from
//! (master seed, trajectory) instead of stored.
struct Trajectory {
  std::uint64_t master_seed;
  std::size_t trajectory;
  std::size_t half_levels; //!< p/2: Delta in level steps, and the number of start levels

  //! Level of parameter j before and after it moves, and so the direction.
  void levels(std::size_t j, std::size_t& before, std::size_t& after) const {
    const std::uint64_t h = seed_for(master_seed, trajectory, streams::MORRIS_START + j);
    // Start level uniform on {0..p/2-1} by a multiply-shift of 32 random bits.
    const auto low = static_cast<std::size_t>(((h >> 32) * half_levels) >> 32);
    const bool upward = ((h >> 31) & 1U) != 0;
    before = upward ? low : low + half_levels;
    after = upward ? low + half_levels : low;
  }
  //! The order of the moves: parameter j moves at step order(j) + 1.
  KeyedPermutation order(std::size_t d) const {
    return KeyedPermutation(d, seed_for(master_seed, trajectory, streams::MORRIS_PERMUTATION));
  }
};

} // namespace

MorrisRole MorrisDesign::role(std::size_t run) const {
  check_run(run);
  const std::size_t d = dimension();
  const std::size_t t = run / (d + 1);
  const std::size_t step = run % (d + 1);
  if (step == 0) return {t, 0, -1, 0};
  const Trajectory trajectory{master_seed_, t, p_ / 2};
  const auto j = static_cast<std::size_t>(trajectory.order(d).inverse(step - 1));
  std::size_t before = 0, after = 0;
  trajectory.levels(j, before, after);
  return {t, step, static_cast<std::ptrdiff_t>(j), after > before ? 1 : -1};
}

void MorrisDesign::level_indices(std::size_t run, std::size_t* level) const {
  check_run(run);
  const std::size_t d = dimension();
  const std::size_t step = run % (d + 1);
  const Trajectory trajectory{master_seed_, run / (d + 1), p_ / 2};
  const KeyedPermutation order = trajectory.order(d);
  for (std::size_t j = 0; j < d; ++j) {
    std::size_t before = 0, after = 0;
    trajectory.levels(j, before, after);
    level[j] = order(j) < step ? after : before;
  }
}

void MorrisDesign::compute_unit_point(std::size_t run, double* u) const {
  // Level indices are written as doubles into u first, then scaled in place.
  const std::size_t d = dimension();
  const std::size_t step = run % (d + 1);
  const Trajectory trajectory{master_seed_, run / (d + 1), p_ / 2};
  const KeyedPermutation order = trajectory.order(d);
  const double last_level = static_cast<double>(p_ - 1);
  for (std::size_t j = 0; j < d; ++j) {
    std::size_t before = 0, after = 0;
    trajectory.levels(j, before, after);
    u[j] = static_cast<double>(order(j) < step ? after : before) / last_level;
  }
}

} // namespace arcm::sweep
