// Scalars of a configuration tree as typed values, and typed values as YAML
// text: the one place that says how scenario and sweep files write a number,
// a whole number and a boolean, so that both readers and the emitters agree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario/config_tree.hpp"

namespace arcm {

//! A plain (unquoted) scalar that is a finite number, e.g. `0.05`, `1.0e6`.
std::optional<double> node_number(const ConfigNode& value);
//! A plain scalar that is a whole number of at most 2^53 in magnitude (so it
//! is exact as a double too).
std::optional<long> node_whole_number(const ConfigNode& value);
//! `true` or `false`, plain. YAML 1.1 would also take yes/no/on/off; ARCM
//! files take only true/false, so that `no` (say, a country code) is never
//! read as a boolean.
std::optional<bool> node_boolean(const ConfigNode& value);
//! The index of the scalar (plain or quoted) in `words`.
std::optional<std::size_t> node_choice(const ConfigNode& value, const std::vector<const char*>& words);

//! How a value is named in a message: "'cheap'", "the quoted string \"5\"", "a map", ...
std::string describe_node(const ConfigNode& value);
//! `words` separated by commas, or "(none)".
std::string list_words(const std::vector<std::string>& words);
std::string list_words(const std::vector<const char*>& words);

//! The shortest %g form that reads back as exactly `value`; whole numbers of
//! moderate size without an exponent (3650000, not 3.65e+06); "0", never "-0".
std::string number_text(double value);

} // namespace arcm
