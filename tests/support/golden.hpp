// The golden summary of the baseline (tests/regression/golden/baseline_summary.txt):
// reading it and the tolerance a summary value must meet. Shared by the golden
// regression test and the benchmark's check that a speed-up changed nothing
// (bench/arcm_bench.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/results.hpp"

namespace arcm::testing {

// The baseline integrates at relative tolerance 1e-6; the golden comparison
// asks for 1e-7 relative so that any change to the equations shows, with an
// absolute floor of 1e-9 times the variable's largest value (Cantera-style)
// for quantities that are almost zero. Discrete values (years) must match.
inline constexpr double GOLDEN_RTOL = 1e-7;
inline constexpr double GOLDEN_FLOOR = 1e-9;

//! The key of a summary value in the golden file: name[index].
inline std::string golden_key(const Variable& v, std::size_t index) {
  return v.name + "[" + std::to_string(index) + "]";
}

//! Every key and value of a golden file ("#" lines are comments; "nan" reads as NaN).
inline std::map<std::string, double> read_golden(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::map<std::string, double> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string key, value;
    fields >> key >> value;
    golden[key] = std::strtod(value.c_str(), nullptr);
  }
  return golden;
}

//! The largest |value| of a variable's finite values (the floor's scale).
inline double largest_finite(const Variable& v) {
  double largest = 0.0;
  for (double x : v.data)
    if (std::isfinite(x)) largest = std::max(largest, std::fabs(x));
  return largest;
}

//! Whether `got` matches the golden `expected` for variable `v`: NaN for NaN,
//! years exactly, anything else within GOLDEN_RTOL relative plus the floor.
inline bool golden_agrees(const Variable& v, double expected, double got, double largest) {
  if (std::isnan(expected)) return std::isnan(got);
  if (v.units == "year") return got == expected; // calendar years: discrete, exact
  return std::fabs(got - expected) <= GOLDEN_RTOL * std::fabs(expected) + GOLDEN_FLOOR * largest;
}

} // namespace arcm::testing
