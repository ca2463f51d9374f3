// Scenario files (config/README.md): YAML -> a validated arcm::Scenario, and
// a scenario back to fully resolved YAML.
#pragma once

#include <string>

#include "core/params.hpp"

namespace arcm {

//! Read a scenario file: parse, resolve its `extends:` chain, fill defaults and
//! derived fields, and validate. Throws ConfigError (file, line, column and
//! dotted key) on any problem. Scenario::source_file is `path` as given.
Scenario load_scenario(const std::string& path);

//! As load_scenario, from text; `pseudo_filename` names the text in messages
//! and anchors relative `extends:` paths (to its directory).
Scenario load_scenario_from_string(const std::string& text, const std::string& pseudo_filename);

//! The fully resolved scenario as YAML in the same schema: every key explicit,
//! defaults and derived defaults filled, no `extends`. Loading the text gives
//! back an equal Scenario (numbers are written with round-trip precision).
std::string to_yaml(const Scenario& scenario);

//! `text` as a double-quoted YAML scalar (escapes for quotes, backslashes and
//! control characters) that reads back as exactly `text`.
std::string yaml_quoted(const std::string& text);

//! Check the ranges and cross-references of a scenario built in code. Errors
//! name the key but, lacking a file, no line (load_scenario reports lines).
void validate(const Scenario& scenario);

} // namespace arcm
