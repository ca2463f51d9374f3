// Morris measures against functions whose elementary effects are known,
// sampled with the sweep layer's Morris design and analysed by the same code
// as `arcm analyze morris`.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

#include "analysis/morris.hpp"

using namespace arcm;
using namespace arcm::analysis;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

struct Evaluated {
  MorrisIndex index;
  std::vector<double> per_run;
};

Evaluated evaluate(const sweep::MorrisDesign& design, const std::function<double(const double*)>& f) {
  std::vector<sweep::MorrisRole> roles(design.size());
  Evaluated out;
  out.per_run.resize(design.size());
  std::vector<double> x(design.dimension());
  for (std::size_t run = 0; run < design.size(); ++run) {
    design.values(run, x.data());
    out.per_run[run] = f(x.data());
    roles[run] = design.role(run);
  }
  out.index =
      morris_index(roles, design.size() / (design.dimension() + 1), design.dimension(), design.delta());
  return out;
}

} // namespace

TEST_CASE("Linear function: mu = mu* = slope x range, sigma = 0, for each parameter", "[morris]") {
  // f = 3 x0 - 2 x1 + 0 x2 + 0.5 x3 with x_j uniform on ranges of different
  // widths: an elementary effect in unit space is slope x (high - low),
  // exactly, whatever the level or direction of the step.
  const std::vector<double> slope{3.0, -2.0, 0.0, 0.5};
  const std::vector<double> low{0.0, 10.0, -1.0, 100.0}, high{1.0, 14.0, 1.0, 300.0};
  std::vector<sweep::Distribution> dists;
  for (std::size_t j = 0; j < 4; ++j) dists.push_back(sweep::Distribution::uniform(low[j], high[j]));
  const sweep::MorrisDesign design(dists, 30, 4, 42);
  const Evaluated e = evaluate(design, [&](const double* x) {
    double f = 0;
    for (std::size_t j = 0; j < 4; ++j) f += slope[j] * x[j];
    return f;
  });
  const MorrisMeasures m = morris_measures(e.index, elementary_effects(e.index, e.per_run.data()),
                                           BootstrapPlan(30, {200, 0.95, 1}), 0.95);
  for (std::size_t j = 0; j < 4; ++j) {
    const double effect = slope[j] * (high[j] - low[j]);
    INFO("parameter " << j);
    // Rounding only: values up to 300 times slopes of order 1 differenced.
    CHECK_THAT(m.mu[j], WithinAbs(effect, 1e-9));
    CHECK_THAT(m.mu_star[j], WithinAbs(std::fabs(effect), 1e-9));
    CHECK_THAT(m.sigma[j], WithinAbs(0.0, 1e-9));
    CHECK(m.effects[j] == 30);
    CHECK_THAT(m.mu_low[j], WithinAbs(effect, 1e-9));
    CHECK_THAT(m.mu_high[j], WithinAbs(effect, 1e-9));
  }
}

TEST_CASE("Quadratic: mu and sigma match the exact distribution of the effects, intervals cover them",
          "[morris]") {
  // f = x0^2 + x1 on [0, 1]^2 with p = 4 levels (0, 1/3, 2/3, 1), Delta = 2/3.
  // A move of x0 joins level 0 with 2 or level 1 with 3, each with chance
  // 1/2 (the start level is uniform on {0, 1}), so its effect is
  // ((x + 2/3)^2 - x^2) / (2/3) = 2x + 2/3 with x in {0, 1/3}: 2/3 or 4/3.
  // Hence mu = mu* = 1 and sigma -> 1/3; x1 has effect exactly 1.
  std::vector<sweep::Distribution> dists(2, sweep::Distribution::uniform(0.0, 1.0));
  const sweep::MorrisDesign design(dists, 400, 4, 7);
  const Evaluated e = evaluate(design, [](const double* x) { return x[0] * x[0] + x[1]; });
  const std::vector<double> effects = elementary_effects(e.index, e.per_run.data());
  for (std::size_t t = 0; t < 400; ++t) {
    const double ee = effects[t * 2 + 0];
    CHECK((std::fabs(ee - 2.0 / 3.0) < 1e-12 || std::fabs(ee - 4.0 / 3.0) < 1e-12));
  }
  const MorrisMeasures m = morris_measures(e.index, effects, BootstrapPlan(400, {1000, 0.95, 3}), 0.95);
  // 400 fair draws of +-1/3 around 1: the sample mean is within 3 sd
  // (3 x 1/3 / 20 = 0.05) of 1 and the sd within 0.03 of 1/3.
  CHECK_THAT(m.mu[0], WithinAbs(1.0, 0.05));
  CHECK_THAT(m.sigma[0], WithinAbs(1.0 / 3.0, 0.03));
  CHECK(m.mu_low[0] <= 1.0);
  CHECK(1.0 <= m.mu_high[0]);
  CHECK(m.sigma_low[0] <= 1.0 / 3.0);
  CHECK(1.0 / 3.0 <= m.sigma_high[0]);
  CHECK_THAT(m.mu_star[1], WithinRel(1.0, 1e-12));
}

TEST_CASE("A failed run drops the two effects it takes part in, nothing else", "[morris]") {
  std::vector<sweep::Distribution> dists(3, sweep::Distribution::uniform(0.0, 1.0));
  const sweep::MorrisDesign design(dists, 10, 4, 9);
  Evaluated e = evaluate(design, [](const double* x) { return x[0] + 2 * x[1] + 3 * x[2]; });
  // Run 5 is step 1 of trajectory 1: it ends one effect and starts the next.
  e.per_run[5] = std::nan("");
  const MorrisMeasures m = morris_measures(e.index, elementary_effects(e.index, e.per_run.data()),
                                           BootstrapPlan(10, {100, 0.95, 1}), 0.95);
  std::size_t used = 0;
  for (std::size_t j = 0; j < 3; ++j) used += m.effects[j];
  CHECK(used == 30 - 2);
  CHECK_THAT(m.mu[2], WithinAbs(3.0, 1e-12));
}

TEST_CASE("The Morris index refuses incomplete trajectories", "[morris]") {
  std::vector<sweep::Distribution> dists(2, sweep::Distribution::uniform(0.0, 1.0));
  const sweep::MorrisDesign design(dists, 4, 4, 9);
  std::vector<sweep::MorrisRole> roles;
  for (std::size_t run = 0; run + 1 < design.size(); ++run) roles.push_back(design.role(run));
  CHECK_THROWS_WITH(morris_index(roles, 4, 2, design.delta()),
                    Catch::Contains("lacks step 2 of trajectory 3"));
}
