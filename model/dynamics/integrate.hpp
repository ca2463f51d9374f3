// Integrating a scenario (docs/model.md §3.11, §4): Boost.Odeint's dopri5 with dense
// output, segment by segment between schedule events, recording onto the
// output grid. A run that cannot finish ends with a failed status and a
// message naming the time and the state component; it never throws for
// numerical trouble.
#pragma once

#include "core/params.hpp"
#include "core/results.hpp"

namespace arcm {

//! Run one scenario from start to end (or to a Kessler stop or a failure).
//! Throws only for programming errors or an invalid scenario that escaped validation.
RunResults simulate(const Scenario& scenario);

//! What simulate() returns for a run that never started: every coordinate,
//! trajectory and summary variable with its shape and NaN values, status
//! not_run. Results files take their layout from it.
RunResults blank_results(const Scenario& scenario);

} // namespace arcm
