// A fixed point x = G(x) of a map over whole trajectories (docs/model.md
// §3.15, "Solving the fixed point"): damped iteration with Anderson
// acceleration. Generic: G is any callable, so the perfect-foresight model
// and the textbook Hotelling harness of the tests use the same solver.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace arcm {

struct FixedPointSettings {
  double tolerance{1e-6};   //!< converged when max_c |G(x)_c − x_c| / scale_c <= tolerance
  long max_iterations{100}; //!< evaluations of G
  double damping{0.7};      //!< β in (0, 1]: share of the update taken
  long memory{5};           //!< Anderson memory m; 0 = damped iteration x + β (G(x) − x)
};

struct FixedPointOutcome {
  bool converged{false};
  long iterations{0};  //!< evaluations of G
  double residual{0};  //!< scaled residual at the last evaluation
  std::string failure; //!< why G failed, if it did ("" otherwise)
};

//! `map(x, gx, why)` writes G(x) to gx; false (with `why`) when G cannot be
//! evaluated. `scale` (> 0 per component) makes the components comparable;
//! `project` (may be empty) puts an updated x back into the domain of G.
using FixedPointMap = std::function<bool(const std::vector<double>&, std::vector<double>&, std::string&)>;
using FixedPointProjection = std::function<void(std::vector<double>&)>;
//! The size of a scaled residual (G(x) − x) / scale; empty: its largest magnitude.
using FixedPointNorm = std::function<double(const std::vector<double>&)>;

//! Iterates from `x` (in) and leaves in `x` the point of the last evaluation
//! of G: on convergence, the fixed point to the tolerance.
FixedPointOutcome solve_fixed_point(std::vector<double>& x, const std::vector<double>& scale,
                                    const FixedPointMap& map, const FixedPointProjection& project,
                                    const FixedPointSettings& settings, const FixedPointNorm& norm = {});

} // namespace arcm
