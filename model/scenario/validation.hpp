// Range and consistency checks of a typed scenario (MODEL.md §14 and the
// ranges stated in core/params.hpp). Each failure is a ConfigError at the key
// that holds the offending value, found through a SourceMap by dotted path.
#pragma once

#include <string>

#include "core/params.hpp"
#include "scenario/source_map.hpp"

namespace arcm {

//! Why `value` is not acceptable for the `legal` key `key`, or "" if it is.
std::string regime_value_problem(const std::string& key, double value);

//! Why `value` is not acceptable for the jurisdiction key `key`, or "" if it
//! is. NaN is accepted for `domestic_property_security` (no domestic law).
std::string jurisdiction_value_problem(const std::string& key, double value);

//! Check every rule; throws ConfigError located through `where`. Expects the
//! derived fields (indices, debris defaults) to be filled in already.
//! Beneficiary weights may be raw or normalised.
void validate(const Scenario& scenario, const SourceMap& where);

} // namespace arcm
