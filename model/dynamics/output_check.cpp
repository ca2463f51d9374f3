#include "dynamics/output_check.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace arcm {

namespace {

// The label of element `j` along dimension `dim`, e.g. "resource water".
std::string coordinate(const RunResults& results, const std::string& dim, std::size_t j) {
  const std::vector<std::string>* labels = dim == "actor"         ? &results.actor
                                           : dim == "resource"    ? &results.resource
                                           : dim == "beneficiary" ? &results.beneficiary
                                           : dim == "bloc"        ? &results.bloc
                                           : dim == "kind"        ? &results.kind
                                                                  : nullptr;
  return dim + " " + (labels && j < labels->size() ? (*labels)[j] : std::to_string(j));
}

bool expected_non_finite(const Variable& v, double x) {
  if (v.name == "backstop_price" && x > 0) return true;   // +inf: a resource without a backstop
  return v.name == "firm_overtake_year" && std::isnan(x); // firms never overtook states
}

// Where flat index `i` of `v` lies: "at year Y" and "[actor us, resource water]".
std::string position(const RunResults& results, const Variable& v, std::size_t i) {
  std::string where, year;
  for (std::size_t d = v.dims.size(); d-- > 0;) {
    const std::size_t length = results.dim_length(v.dims[d]);
    const std::size_t j = length ? i % length : 0;
    i = length ? i / length : 0;
    if (v.dims[d] == "time") {
      char text[32];
      std::snprintf(text, sizeof text, "%g", results.time[j]);
      year = std::string(" at year ") + text;
    } else {
      where = coordinate(results, v.dims[d], j) + (where.empty() ? "" : ", " + where);
    }
  }
  return (where.empty() ? "" : " [" + where + "]") + year;
}

// Whether every value is finite. A NaN or an infinity has all 11 exponent
// bits set; adding 1 to the exponent field then carries into the top bit,
// which no finite value reaches. AND, ADD and OR on 64-bit integers vectorise
// with plain SSE2 (a 64-bit compare would not), so the outputs of a run are
// checked at about one instruction per value.
bool all_finite(const std::vector<double>& values) {
  constexpr std::uint64_t EXPONENT = 0x7ff0000000000000ULL;
  constexpr std::uint64_t EXPONENT_ONE = 0x0010000000000000ULL;
  std::uint64_t carries = 0;
  for (double value : values) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    carries |= (bits & EXPONENT) + EXPONENT_ONE;
  }
  return (carries >> 63) == 0;
}

} // namespace

void fail_on_non_finite_outputs(RunResults& results) {
  if (results.status != RunStatus::ok && results.status != RunStatus::kessler) return;
  for (const std::vector<Variable>* group : {&results.trajectories, &results.summary}) {
    for (const Variable& v : *group) {
      if (all_finite(v.data)) continue; // the common case, without the per-value test below
      const bool over_time = !v.dims.empty() && v.dims.front() == "time" && !results.time.empty();
      const std::size_t per_time = over_time ? v.data.size() / results.time.size() : 0;
      for (std::size_t i = 0; i < v.data.size(); ++i) {
        const double x = v.data[i];
        if (std::isfinite(x) || expected_non_finite(v, x)) continue;
        if (over_time && results.time[i / per_time] > results.stop_time) continue; // after a Kessler stop
        results.status = RunStatus::failed;
        results.message = std::string("non-finite value (") +
                          (std::isnan(x) ? "NaN"
                           : x > 0       ? "+inf"
                                         : "-inf") +
                          ") in output '" + v.name + "'" + position(results, v, i) +
                          ": a parameter drives the model out of floating-point range";
        return;
      }
    }
  }
}

} // namespace arcm
