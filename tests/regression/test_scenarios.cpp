// Every shipped scenario: it loads, runs to the end, conserves mass and
// royalties (docs/model.md §3.10) and keeps its states in their domains (§9).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "dynamics/integrate.hpp"
#include "scenario/loader.hpp"
#include "support/result_access.hpp"

using namespace arcm;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

using arcm::testing::var;

TEST_CASE("Shipped scenarios conserve stocks and royalties and stay in their domains",
          "[scenarios][conservation]") {
  const std::string scenario =
      GENERATE(as<std::string>{}, "baseline", "ost_ambiguity", "national_property", "artemis_bloc",
               "moon_agreement", "two_bloc_fragmentation", "competitive_cooperation");
  INFO("scenario " << scenario);
  const Scenario s = load_scenario(std::string(ARCM_SOURCE_DIR) + "/config/scenarios/" + scenario + ".yaml");
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  const std::size_t n = s.n_actors(), m = s.n_resources(), nb = s.n_beneficiaries();
  const Variable& stock = var(r, "stock");
  const Variable& extracted = var(r, "extracted");
  const Variable& receipts = var(r, "receipts");
  const Variable& paid = var(r, "royalties_paid");
  for (std::size_t row = 0; row < r.time.size(); ++row) {
    for (std::size_t k = 0; k < m; ++k) {
      if (s.resources[k].regeneration_rate > 0.0) continue;
      double total = stock.data[row * m + k];
      for (std::size_t i = 0; i < n; ++i) total += extracted.data[(row * n + i) * m + k];
      CHECK_THAT(total, WithinRel(s.resources[k].stock, 1e-6));
    }
    double received = 0.0, given = 0.0;
    for (std::size_t b = 0; b < nb; ++b) received += receipts.data[row * nb + b];
    for (std::size_t i = 0; i < n; ++i) given += paid.data[row * n + i];
    CHECK_THAT(received, WithinAbs(given, 1e-6 * std::max(1.0, given)));
  }
  // Non-negativity within the integrator's tolerance (docs/model.md §9).
  const double atol = s.integrator.absolute_tolerance, rtol = s.integrator.relative_tolerance;
  for (const char* name : {"capacity", "pipeline", "launch_experience", "stock", "debris"}) {
    const Variable& v = var(r, name);
    const double scale = *std::max_element(v.data.begin(), v.data.end());
    const double lowest = *std::min_element(v.data.begin(), v.data.end());
    INFO(name << " lowest " << lowest);
    CHECK(lowest >= -(atol + rtol * scale));
  }
  // Real dynamics: somebody extracts every resource by the end and prices move.
  const Variable& total = var(r, "extracted_total_final");
  for (std::size_t k = 0; k < m; ++k) CHECK(total.data[k] > 0.0);
  const Variable& price = var(r, "price");
  for (std::size_t k = 0; k < m; ++k) CHECK(price.data[k] != price.data[(r.time.size() - 1) * m + k]);
}
