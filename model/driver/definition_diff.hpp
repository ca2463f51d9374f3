// What changed between two resolved sweep definitions, for a resume that is
// refused because the sweep file (or a scenario it names) was edited after
// the sweep started. The partial results file keeps the resolved YAML it was
// started with (root attribute `resolved_yaml`); comparing it key by key with
// the resolved YAML of the edited sweep names the keys that differ, including
// keys of the inlined base scenarios (`scenario_yaml.actors.spacex.budget`).
#pragma once

#include <cstddef>
#include <string>

namespace arcm::driver {

//! The differences between two resolved sweep definitions, at most `limit`
//! of them, joined by "; ". A changed value reads "`KEY: OLD` is now `KEY:
//! NEW`", a key only in one of them "`KEY: OLD` was removed" or "`KEY: NEW`
//! was added"; further differences are counted. Texts that do not parse as
//! YAML are compared line by line instead. "no difference" when equal.
std::string describe_definition_change(const std::string& before, const std::string& now,
                                       std::size_t limit = 4);

} // namespace arcm::driver
