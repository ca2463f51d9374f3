// Range and consistency checks of a typed scenario (docs/model.md §10,
// "What a scenario may not say"). The range of each value is its row's in the
// parameter table; the rules written here relate several values. Each failure
// is a ConfigError at the key that holds the offending value, found through a
// SourceMap by dotted path.
#pragma once

#include "core/params.hpp"
#include "scenario/source_map.hpp"

namespace arcm {

//! Check every rule; throws ConfigError located through `where`. Expects the
//! derived fields (indices, debris defaults) to be filled in already.
//! Beneficiary weights may be raw or normalised.
void validate(const Scenario& scenario, const SourceMap& where);

} // namespace arcm
