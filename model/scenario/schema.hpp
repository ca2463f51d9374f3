// The keys each section of a scenario file accepts, shared by the loader
// (unknown-key checks), the emitter and the validation of schedule values.
#pragma once

#include <string>
#include <vector>

namespace arcm::schema {

const std::vector<std::string>& top_level_keys();
const std::vector<std::string>& time_keys();
const std::vector<std::string>& integrator_keys();
const std::vector<std::string>& output_keys();
const std::vector<std::string>& economy_keys();
const std::vector<std::string>& debris_keys();
const std::vector<std::string>& tension_keys();
const std::vector<std::string>& jurisdiction_keys();
const std::vector<std::string>& actor_keys();
const std::vector<std::string>& resource_keys();
const std::vector<std::string>& backstop_keys();
const std::vector<std::string>& beneficiary_keys();
const std::vector<std::string>& event_keys();

//! How a value of `legal` or of a jurisdiction is written in YAML; the typed
//! value is always a double (ParameterChange::value).
enum class ValueKind {
  number,         //!< a number
  boolean,        //!< true/false -> 1/0
  regime_scope,   //!< parties/universal -> 0/1
  optional_number //!< a number, or null -> NaN (domestic_property_security)
};
ValueKind value_kind(const std::string& key);

} // namespace arcm::schema
