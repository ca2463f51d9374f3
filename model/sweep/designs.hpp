// Sampling designs for parameter sweeps: which parameter values run r gets.
//
// A design is a pure function of the run index. Nothing is precomputed per run
// (memory is O(d) for d parameters, whatever the number of runs), every value is
// derived from the master seed by counter-based hashing (sweep/random.hpp), and
// all queries are const and free of shared mutable state, so any number of
// threads may ask for any runs in any order and get identical bits.
// docs/sweep-designs.md describes each design's run ordering and seeding.
#pragma once

#include "sweep/distributions.hpp"
#include "sweep/random.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace arcm::sweep {

//! The interface the sweep driver uses: a number of runs and, for each, the
//! values of the d varied parameters in the order they were given.
class Design {
public:
  virtual ~Design() = default;
  //! Number of runs.
  virtual std::size_t size() const = 0;
  //! Number of varied parameters d.
  virtual std::size_t dimension() const = 0;
  //! Writes run `run`'s d parameter values to out[0..d-1]. Throws arcm::Error
  //! for run >= size(). Const and thread-safe.
  void values(std::size_t run, double* out) const;
  //! The same, as a fresh vector (allocates; for tests and tools).
  std::vector<double> values(std::size_t run) const;

protected:
  void check_run(std::size_t run) const;

private:
  virtual void compute_values(std::size_t run, double* out) const = 0;
};

// ---------------------------------------------------------------------------
// Grid

//! n values from a to b, evenly spaced, with both endpoints exact; n >= 2.
std::vector<double> linspace(double a, double b, std::size_t n);
//! n values from a to b (both > 0), evenly spaced in ln x (a geometric
//! progression), with both endpoints exact; n >= 2. Takes the endpoint values
//! themselves, not decimal exponents as numpy.logspace does.
std::vector<double> logspace(double a, double b, std::size_t n);

//! The Cartesian product of explicit value lists. Run r's axis indices are the
//! mixed-radix digits of r with the LAST axis varying fastest (row-major, as
//! nested loops written in axis order, and as numpy's unravel_index). A
//! scenario list crossed with a grid is a grid whose first axis holds scenario
//! indices 0..S-1, so runs are grouped by scenario.
class GridDesign : public Design {
public:
  //! Each axis non-empty with finite values; the product must fit in size_t.
  explicit GridDesign(std::vector<std::vector<double>> axes);
  std::size_t size() const override { return size_; }
  std::size_t dimension() const override { return axes_.size(); }
  //! Writes the d axis indices of run `run` to index[0..d-1].
  void indices(std::size_t run, std::size_t* index) const;
  const std::vector<std::vector<double>>& axes() const { return axes_; }

private:
  void compute_values(std::size_t run, double* out) const override;
  std::vector<std::vector<double>> axes_;
  std::size_t size_;
};

// ---------------------------------------------------------------------------
// Designs on the unit cube: a point u in (0,1)^d mapped through each
// parameter's Distribution::quantile.

//! Base of the designs that first produce a point in the unit cube.
class UnitCubeDesign : public Design {
public:
  std::size_t dimension() const override { return distributions_.size(); }
  //! Writes run `run`'s unit-cube coordinates to u[0..d-1]. Coordinates lie in
  //! (0, 1) except for Morris, whose level grid includes 0 and 1.
  void unit_point(std::size_t run, double* u) const;
  const std::vector<Distribution>& distributions() const { return distributions_; }

protected:
  //! At least one distribution is required; `design` names the caller in messages.
  UnitCubeDesign(std::vector<Distribution> distributions, const char* design);

private:
  virtual void compute_unit_point(std::size_t run, double* u) const = 0;
  void compute_values(std::size_t run, double* out) const override;
  std::vector<Distribution> distributions_;
};

//! Independent draws: parameter j of run r uses uniform01(master_seed, r, j).
class MonteCarloDesign : public UnitCubeDesign {
public:
  MonteCarloDesign(std::vector<Distribution> distributions, std::size_t n_runs, std::uint64_t master_seed);
  std::size_t size() const override { return n_runs_; }

private:
  void compute_unit_point(std::size_t run, double* u) const override;
  std::size_t n_runs_;
  std::uint64_t master_seed_;
};

//! Latin hypercube: in every dimension each of the N strata [k/N, (k+1)/N) holds
//! exactly one run. Dimension j assigns run r the stratum pi_j(r), pi_j a keyed
//! pseudo-random permutation of [0, N) evaluated by index (KeyedPermutation), and
//! a uniform position inside it from uniform01(master_seed, r, j). Memory O(d).
class LatinHypercubeDesign : public UnitCubeDesign {
public:
  LatinHypercubeDesign(std::vector<Distribution> distributions, std::size_t n_runs,
                       std::uint64_t master_seed);
  std::size_t size() const override { return n_runs_; }
  //! The stratum of run `run` in dimension j.
  std::size_t stratum(std::size_t run, std::size_t j) const;

private:
  void compute_unit_point(std::size_t run, double* u) const override;
  std::size_t n_runs_;
  std::uint64_t master_seed_;
  std::vector<KeyedPermutation> permutations_;
};

//! How a Sobol sequence is randomised.
enum class SobolScrambling {
  none, //!< plain Joe-Kuo Sobol points, each at the centre of its 2^-32 cell (for tests)
  owen, //!< Owen's nested uniform scramble of all 32 digits, plus random lower digits
};

//! The Sobol low-discrepancy sequence with Joe & Kuo (2008) direction numbers
//! (new-joe-kuo-6.21201), up to SOBOL_MAX_DIMENSION dimensions, in Gray-code
//! (Antonov-Saleev) order as generated by Joe & Kuo's, SciPy's and SALib's
//! code; point 0 of the unscrambled sequence is the origin. Random access by
//! index, 32-bit digits, so at most 2^32 points.
class SobolSequence {
public:
  SobolSequence(std::size_t dimensions, SobolScrambling scrambling, std::uint64_t seed);
  std::size_t dimensions() const { return directions_.size(); }
  //! The unscrambled 32-bit fraction of point `index` in dimension `dim` (0-based):
  //! the coordinate is digits / 2^32.
  std::uint32_t digits(std::uint64_t index, std::size_t dim) const;
  //! Coordinate of point `index` in dimension `dim`, in (0, 1), scrambled as chosen.
  double coordinate(std::uint64_t index, std::size_t dim) const;

private:
  std::vector<std::array<std::uint32_t, 32>> directions_; //!< v_{dim,k} as 32-bit fractions
  std::vector<std::uint64_t> scramble_keys_;              //!< one per dimension (owen only)
  SobolScrambling scrambling_;
};

//! Which matrix of Saltelli's scheme a run evaluates.
enum class SaltelliMatrix { A, AB, B };

//! The place of a run in the Saltelli layout.
struct SaltelliRole {
  std::size_t base;      //!< base sample i in [0, n_base)
  SaltelliMatrix matrix; //!< A_i, AB_i^(j) or B_i
  std::size_t parameter; //!< j for AB (the column taken from B); 0 otherwise
};

//! Saltelli (2010) design for first- and total-order Sobol indices on a
//! scrambled Sobol sequence of 2d dimensions: A_i = dimensions 0..d-1 of point
//! skip+i, B_i = dimensions d..2d-1 of the same point, AB_i^(j) = A_i with
//! column j from B_i. Runs are block-major per base sample,
//!   run = i*(d+2) + 0      -> A_i
//!   run = i*(d+2) + 1 + j  -> AB_i^(j), j = 0..d-1
//!   run = i*(d+2) + d + 1  -> B_i
//! which is SALib's saltelli.sample order with calc_second_order=False.
//! N = n_base must be a power of two (the balance of a Sobol net holds only for
//! power-of-two prefixes) and skip a multiple of it; d <= SOBOL_MAX_DIMENSION/2.
class SobolSaltelliDesign : public UnitCubeDesign {
public:
  SobolSaltelliDesign(std::vector<Distribution> distributions, std::size_t n_base, std::uint64_t master_seed,
                      std::size_t skip = 0, SobolScrambling scrambling = SobolScrambling::owen);
  std::size_t size() const override { return n_base_ * (dimension() + 2); }
  std::size_t n_base() const { return n_base_; }
  SaltelliRole role(std::size_t run) const;
  //! Row i of A (or B) in the unit cube: u[0..d-1].
  void a_point(std::size_t base, double* u) const;
  void b_point(std::size_t base, double* u) const;

private:
  void compute_unit_point(std::size_t run, double* u) const override;
  std::size_t n_base_;
  std::size_t skip_;
  SobolSequence sequence_;
};

//! The place of a run in a Morris trajectory.
struct MorrisRole {
  std::size_t trajectory;   //!< t in [0, r)
  std::size_t step;         //!< 0 = the trajectory's start, s = after s moves (s <= d)
  std::ptrdiff_t parameter; //!< the parameter changed from the previous run, -1 at step 0
  int sign;                 //!< +1 or -1: direction of that change (in unit space), 0 at step 0
};

//! Morris (1991) elementary-effects design: r trajectories of d+1 runs on a grid
//! of p levels {0, 1/(p-1), ..., 1} per parameter; consecutive runs of a
//! trajectory differ in one parameter by +-Delta, Delta = p / (2(p-1)), and
//! every parameter moves exactly once per trajectory. Run t*(d+1) + s is step s
//! of trajectory t. Trajectory t draws, from seeds (master_seed, t), a start
//! level in {0, ..., p/2-1} and a direction per parameter, and the order in which
//! the parameters move. Level k maps to distribution quantile(k/(p-1)), so the
//! distributions must have bounded support (uniform, loguniform, triangular,
//! discrete). p must be even so that Delta is a whole number (p/2) of levels.
class MorrisDesign : public UnitCubeDesign {
public:
  MorrisDesign(std::vector<Distribution> distributions, std::size_t r_trajectories, std::size_t p_levels,
               std::uint64_t master_seed);
  std::size_t size() const override { return r_ * (dimension() + 1); }
  std::size_t levels() const { return p_; }
  //! Delta in unit space: p / (2(p-1)).
  double delta() const;
  MorrisRole role(std::size_t run) const;
  //! Writes run `run`'s level indices (each in [0, p)) to level[0..d-1].
  void level_indices(std::size_t run, std::size_t* level) const;

private:
  void compute_unit_point(std::size_t run, double* u) const override;
  std::size_t r_;
  std::size_t p_;
  std::uint64_t master_seed_;
};

} // namespace arcm::sweep
