// Streaming ensemble statistics across the runs of a sweep: per element
// (one value of one trajectory variable at one time, actor and resource) the
// count of contributing runs, mean, standard deviation, minimum, maximum and a
// set of quantiles, in memory that does not grow with the number of runs.
// Fan charts are drawn from these, so a sweep need not keep trajectories.
//
// Estimators
//  * Mean and variance: Welford's update (numerically stable, one pass).
//  * Quantiles: the P² algorithm of Jain & Chlamtac (1985) with the extended
//    marker set for m quantiles at once (2m+3 markers at probabilities
//    0, p1/2, p1, (p1+p2)/2, p2, ..., pm, (pm+1)/2, 1). One marker set per
//    element shares the minimum and maximum markers between all quantiles and
//    puts a marker half-way between neighbouring levels, which the curvature
//    (parabolic) step needs to be accurate in the tails; it also keeps the
//    reported quantiles ordered, because P² never lets a marker pass its
//    neighbours (see ensemble.cpp).
//  * While an element has at most 2m+3 contributing runs the accumulator keeps
//    them sorted and the quantiles are exact: Hyndman & Fan type 7 (numpy's
//    default "linear"), i.e. with the sorted sample x[0..n) and h = (n-1)p,
//    Q(p) = x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]). Beyond that the quantile for
//    level j is the height of marker 2j+2.
//
// Missing values: a non-finite value (NaN from a run that stopped early or
// failed; ±inf is treated the same way) is skipped for that element only, and
// count(e) says how many runs did contribute to element e.
//
// Order and reproducibility: the results depend on the order in which runs are
// added (both the P² markers and the rounding of the running mean do). The
// caller must add runs in a fixed order, the sweep driver uses run index order,
// to get results that do not depend on the thread count or on interruptions.
// Elements are independent of each other, so splitting the element range
// between calls or threads (add_elements, add_runs) gives bit-identical
// results; the sweep writer hands element ranges of each batch to whichever
// thread is free (driver/sweep_runner.cpp, EnsembleJob).
//
// Checkpointing: export_state() returns every number the accumulator holds; an
// accumulator rebuilt by import_state() and fed the remaining runs ends
// bit-identical to one fed all runs without interruption (with the same build:
// another compiler or other floating-point flags may round differently).
#pragma once

#include <cstddef>
#include <vector>

namespace arcm::sweep {

class EnsembleAccumulator {
public:
  //! The quantile levels of the fan charts: {0.05, 0.25, 0.5, 0.75, 0.95}.
  static std::vector<double> default_levels();

  //! Accumulator for runs of `n_elements` values each. `levels` must be
  //! strictly increasing and inside (0, 1), with at least one level; throws
  //! arcm::Error otherwise.
  explicit EnsembleAccumulator(std::size_t n_elements, std::vector<double> levels = default_levels());

  //! Add one run: `run_values[0..size())`. Non-finite values are skipped per
  //! element. Runs must come in a fixed order (run index order in the sweep).
  void add(const double* run_values) { add_elements(run_values, 0, n_elements_); }

  //! Add one run to the elements [first, last) only, reading run_values[e] for
  //! each of them. Lets the caller split the elements between threads; every
  //! element must still see every run once and in the same order. Throws
  //! std::out_of_range when the range does not fit.
  void add_elements(const double* run_values, std::size_t first, std::size_t last);

  //! Add `n_runs` runs, in the order given, to the elements [first, last):
  //! run r's value of element e is runs[r][e - first]. The same as calling
  //! add_elements once per run in that order (bit for bit), but element by
  //! element, so each element's state is loaded once per call instead of once
  //! per run (the states of a sweep's ensemble are megabytes, far more than
  //! the caches). Throws std::out_of_range when the range does not fit.
  void add_runs(const double* const* runs, std::size_t n_runs, std::size_t first, std::size_t last);

  std::size_t size() const { return n_elements_; }                 //!< number of elements E
  const std::vector<double>& levels() const { return levels_; }    //!< quantile levels
  std::size_t marker_count() const { return marker_prob_.size(); } //!< 2m+3

  // Results for element e (std::out_of_range when e >= size()). Every result
  // except count is NaN while the element has no contributing run.

  //! Number of runs that contributed a finite value to element e.
  std::size_t count(std::size_t e) const;
  //! Arithmetic mean over the contributing runs.
  double mean(std::size_t e) const;
  //! Sample standard deviation (divisor n-1); NaN with fewer than two runs.
  double stddev(std::size_t e) const;
  //! Smallest contributing value (exact).
  double min(std::size_t e) const;
  //! Largest contributing value (exact).
  double max(std::size_t e) const;
  //! Quantile at levels()[level] for element e: exact (type 7) while count(e)
  //! <= marker_count(), the P² estimate afterwards. Always
  //! min(e) <= quantile(0, e) <= quantile(1, e) <= ... <= max(e).
  double quantile(std::size_t level, std::size_t e) const;

  //! Doubles of checkpoint state per element for m levels: 4m + 7, i.e. the
  //! count, mean, sum of squared deviations, 2m+3 marker heights and the
  //! positions of the 2m+1 interior markers. 27 doubles (216 bytes) for the
  //! five default levels; the accumulator's memory is this times E.
  static std::size_t state_doubles_per_element(std::size_t n_levels) { return 4 * n_levels + 7; }

  //! The complete state as one flat array:
  //!   [tag, format version, E, m, levels[m], E blocks of state_doubles_per_element(m)]
  //! Each block is [count, mean, m2, heights[2m+3], interior positions[2m+1]];
  //! while count <= 2m+3 the heights hold the sorted sample (unused slots 0)
  //! and the positions are 0. Integers are stored exactly (they stay below 2^53).
  std::vector<double> export_state() const;

  //! Rebuild an accumulator from export_state(); throws arcm::Error when the
  //! array is not such a state (wrong tag, version, size or levels).
  static EnsembleAccumulator import_state(const std::vector<double>& state);

private:
  void add_value(double* block, double value) const;
  bool all_markers_at(const double* height, double value) const;
  void move_positions_of_constant(double* position, double n) const;
  const double* block(std::size_t e) const;

  std::size_t n_elements_;
  std::vector<double> levels_;
  std::vector<double> marker_prob_; //!< probability each marker tracks, 0 ... 1
  std::size_t block_size_;          //!< doubles per element
  std::vector<double> blocks_;      //!< E blocks, layout as in export_state()
};

} // namespace arcm::sweep
