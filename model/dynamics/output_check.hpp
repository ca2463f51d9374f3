// The last check of a run: every recorded output must be finite. The
// integrator stops a run whose state becomes non-finite, but an output that
// is not a state variable (demand growing as exp(g t), the backstop supply
// that meets it) can overflow while the state stays finite. Such a run is
// marked failed, so that it stays out of ensemble statistics and figures.
#pragma once

#include "core/results.hpp"

namespace arcm {

//! If `results` (status ok or kessler) holds a non-finite value where a
//! finite one is expected, set its status to failed and its message to what,
//! where and when. Expected: NaN after the stop time of a run that stopped
//! early, +inf in `backstop_price` (no backstop), NaN in `firm_overtake_year`
//! (never). Other statuses are left as they are.
void fail_on_non_finite_outputs(RunResults& results);

} // namespace arcm
