// Perfect foresight as a fixed point over whole runs (docs/model.md §3.15):
// a myopic run starts the expected path; each run with expectations gives the
// next; dynamics/fixed_point.hpp's solver iterates until the expected and the
// realised paths agree to the scenario's tolerance.
#pragma once

#include <chrono>
#include <functional>

#include "core/params.hpp"
#include "core/results.hpp"
#include "dynamics/expectations.hpp"

namespace arcm {

//! One run of `scenario` with expectations `expected` (nullptr: myopic),
//! its wall-time limit counted from `started`.
using RunWithExpectations = std::function<RunResults(const Scenario& scenario, const ExpectedPath* expected,
                                                     std::chrono::steady_clock::time_point started)>;

//! The perfect-foresight run of `scenario`: status failed, with the reason,
//! when the fixed point does not converge or one of its runs fails. Counts
//! (evaluations, steps, wall time) are those of every run it took.
RunResults solve_perfect_foresight(const Scenario& scenario, const RunWithExpectations& run);

} // namespace arcm
