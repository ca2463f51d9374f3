// Test helper: a run's variable by name, failing the test when it is missing.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "core/results.hpp"

namespace arcm::testing {

inline const Variable& var(const RunResults& results, const std::string& name) {
  const Variable* variable = results.find(name);
  REQUIRE(variable != nullptr);
  return *variable;
}

} // namespace arcm::testing
