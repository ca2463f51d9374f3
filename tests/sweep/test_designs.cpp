// Grid, Monte Carlo, Latin hypercube and Morris designs: sizes, bounds,
// determinism, thread independence and the stratification properties.
#include "sweep/designs.hpp"

#include "core/errors.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <thread>
#include <vector>

using namespace arcm::sweep;
using Catch::Matchers::Contains;

namespace {

std::uint64_t bits_of(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

//! Every run's values, in run order, as raw bits.
std::vector<std::uint64_t> all_bits(const Design& design) {
  std::vector<std::uint64_t> out;
  std::vector<double> v(design.dimension());
  for (std::size_t run = 0; run < design.size(); ++run) {
    design.values(run, v.data());
    for (double x : v) out.push_back(bits_of(x));
  }
  return out;
}

//! The same, computed by 4 threads taking runs round-robin in reverse order.
std::vector<std::uint64_t> all_bits_threaded(const Design& design) {
  const std::size_t d = design.dimension();
  std::vector<std::uint64_t> out(design.size() * d);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> v(d);
      for (std::size_t k = design.size(); k-- > 0;) {
        if (k % 4 != t) continue;
        design.values(k, v.data());
        for (std::size_t j = 0; j < d; ++j) out[k * d + j] = bits_of(v[j]);
      }
    });
  }
  for (auto& th : threads) th.join();
  return out;
}

std::vector<Distribution> mixed_distributions() {
  return {Distribution::uniform(0.0, 10.0),    Distribution::normal(5.0, 2.0),
          Distribution::lognormal(1.0, 0.5),   Distribution::triangular(-1.0, 0.0, 3.0),
          Distribution::loguniform(1e-4, 1.0), Distribution::discrete({1.0, 2.0, 4.0})};
}

std::vector<Distribution> bounded_distributions() {
  return {Distribution::uniform(0.0, 10.0), Distribution::loguniform(1e-4, 1.0),
          Distribution::triangular(-1.0, 0.0, 3.0), Distribution::discrete({1.0, 2.0, 4.0})};
}

void check_in_support(const UnitCubeDesign& design) {
  std::vector<double> v(design.dimension()), u(design.dimension());
  for (std::size_t run = 0; run < design.size(); ++run) {
    design.values(run, v.data());
    design.unit_point(run, u.data());
    for (std::size_t j = 0; j < design.dimension(); ++j) {
      const Distribution& dist = design.distributions()[j];
      REQUIRE(std::isfinite(v[j]));
      REQUIRE(v[j] >= dist.lower_bound());
      REQUIRE(v[j] <= dist.upper_bound());
      REQUIRE(u[j] >= 0.0);
      REQUIRE(u[j] <= 1.0);
      REQUIRE(bits_of(v[j]) == bits_of(dist.quantile(u[j]))); // values are the quantiles of the unit point
    }
  }
}

} // namespace

// ---------------------------------------------------------------------------

TEST_CASE("linspace and logspace hit both endpoints exactly", "[sweep][grid]") {
  const auto lin = linspace(0.1, 0.7, 7);
  REQUIRE(lin.size() == 7);
  CHECK(lin.front() == 0.1);
  CHECK(lin.back() == 0.7);
  CHECK(lin[3] == Approx(0.4).epsilon(1e-15));
  for (std::size_t i = 1; i < lin.size(); ++i) CHECK(lin[i] > lin[i - 1]);
  const auto down = linspace(5.0, -5.0, 11);
  CHECK(down.front() == 5.0);
  CHECK(down.back() == -5.0);
  CHECK(down[5] == 0.0);

  const auto lg = logspace(1e-3, 1e1, 5);
  CHECK(lg.front() == 1e-3);
  CHECK(lg.back() == 1e1);
  CHECK(lg[2] == Approx(1e-1).epsilon(1e-14));
  CHECK_THROWS_WITH(linspace(0.0, 1.0, 1), Contains("n >= 2"));
  CHECK_THROWS_WITH(logspace(0.0, 1.0, 3), Contains("> 0"));
}

TEST_CASE("grid: every combination exactly once, last axis fastest", "[sweep][grid]") {
  const GridDesign grid({{1.0, 2.0}, {10.0, 20.0, 30.0}, {0.5, 0.25}});
  REQUIRE(grid.size() == 12);
  REQUIRE(grid.dimension() == 3);
  CHECK(grid.values(0) == std::vector<double>{1.0, 10.0, 0.5});
  CHECK(grid.values(1) == std::vector<double>{1.0, 10.0, 0.25}); // last axis moves first
  CHECK(grid.values(2) == std::vector<double>{1.0, 20.0, 0.5});
  CHECK(grid.values(11) == std::vector<double>{2.0, 30.0, 0.25});
  std::set<std::vector<double>> seen;
  std::size_t index[3];
  for (std::size_t run = 0; run < grid.size(); ++run) {
    const auto v = grid.values(run);
    grid.indices(run, index);
    for (std::size_t j = 0; j < 3; ++j) CHECK(v[j] == grid.axes()[j][index[j]]); // exactly the axis values
    CHECK(run == (index[0] * 3 + index[1]) * 2 + index[2]);
    seen.insert(v);
  }
  CHECK(seen.size() == 12);
  CHECK_THROWS_WITH(grid.values(12), Contains("out of range"));
}

TEST_CASE("grid: refuses empty axes and overflowing sizes", "[sweep][grid]") {
  CHECK_THROWS_WITH(GridDesign({}), Contains("at least one axis"));
  CHECK_THROWS_WITH(GridDesign({{1.0}, {}}), Contains("axis 1"));
  std::vector<std::vector<double>> huge(70, std::vector<double>{0.0, 1.0}); // 2^70 runs
  CHECK_THROWS_WITH(GridDesign(huge), Contains("overflows"));
}

// ---------------------------------------------------------------------------

TEST_CASE("monte carlo: size, support and the per-parameter streams", "[sweep][monte_carlo]") {
  const MonteCarloDesign mc(mixed_distributions(), 2000, 99);
  REQUIRE(mc.size() == 2000);
  REQUIRE(mc.dimension() == 6);
  check_in_support(mc);
  std::vector<double> u(6);
  mc.unit_point(17, u.data());
  for (std::size_t j = 0; j < 6; ++j) CHECK(u[j] == uniform01(99, 17, j));
  CHECK_THROWS_AS(MonteCarloDesign(mixed_distributions(), 0, 1), arcm::Error);
  CHECK_THROWS_AS(MonteCarloDesign({}, 10, 1), arcm::Error);
}

TEST_CASE("monte carlo: moments of 10^5 draws within statistical tolerance", "[sweep][monte_carlo]") {
  // For n draws the sample mean has standard error sigma/sqrt(n) and the
  // sample variance sigma^2 sqrt((kurtosis - 1)/n). The tolerance is 5 standard
  // errors: a correct sampler fails with probability < 1e-6 per check, and the
  // fixed seed makes the outcome reproducible.
  struct Case {
    Distribution dist;
    double mean, variance, kurtosis;
  };
  const double s2 = 0.25; // lognormal sigma^2
  const std::vector<Case> cases = {
      {Distribution::uniform(2.0, 5.0), 3.5, 9.0 / 12.0, 1.8},
      {Distribution::normal(-1.0, 3.0), -1.0, 9.0, 3.0},
      {Distribution::lognormal(2.0, 0.5), 2.0 * std::exp(s2 / 2), (std::exp(s2) - 1) * 4.0 * std::exp(s2),
       std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 3},
      // triangular(a, c, b): mean (a+b+c)/3, variance (a^2+b^2+c^2-ab-ac-bc)/18, kurtosis 2.4
      {Distribution::triangular(0.0, 1.0, 4.0), 5.0 / 3.0, (16.0 + 1.0 - 4.0) / 18.0, 2.4},
  };
  std::vector<Distribution> dists;
  for (const auto& c : cases) dists.push_back(c.dist);
  const std::size_t n = 100000;
  const MonteCarloDesign mc(dists, n, 20240611);
  std::vector<double> sum(dists.size(), 0.0), sum2(dists.size(), 0.0), v(dists.size());
  for (std::size_t run = 0; run < n; ++run) {
    mc.values(run, v.data());
    for (std::size_t j = 0; j < v.size(); ++j) {
      sum[j] += v[j];
      sum2[j] += v[j] * v[j];
    }
  }
  for (std::size_t j = 0; j < cases.size(); ++j) {
    INFO(cases[j].dist.describe());
    const double mean = sum[j] / n;
    const double variance = (sum2[j] - n * mean * mean) / (n - 1);
    CHECK(std::abs(mean - cases[j].mean) < 5 * std::sqrt(cases[j].variance / n));
    CHECK(std::abs(variance - cases[j].variance) <
          5 * cases[j].variance * std::sqrt((cases[j].kurtosis - 1) / n));
  }
}

TEST_CASE("monte carlo: discrete weights are honoured", "[sweep][monte_carlo]") {
  const std::size_t n = 100000;
  const MonteCarloDesign mc({Distribution::discrete({0.0, 1.0, 2.0}, {0.2, 0.5, 0.3})}, n, 5);
  double count[3] = {0, 0, 0};
  for (std::size_t run = 0; run < n; ++run) count[static_cast<int>(mc.values(run)[0])] += 1;
  const double p[3] = {0.2, 0.5, 0.3};
  for (int k = 0; k < 3; ++k) CHECK(std::abs(count[k] / n - p[k]) < 5 * std::sqrt(p[k] * (1 - p[k]) / n));
}

// ---------------------------------------------------------------------------

TEST_CASE("latin hypercube: each of the N strata hit exactly once per dimension", "[sweep][lhs]") {
  for (std::size_t n :
       {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{1000}, std::size_t{4099}}) {
    INFO("N = " << n);
    const LatinHypercubeDesign lhs(mixed_distributions(), n, 314);
    REQUIRE(lhs.size() == n);
    std::vector<double> u(lhs.dimension());
    std::vector<std::vector<int>> hits(lhs.dimension(), std::vector<int>(n, 0));
    for (std::size_t run = 0; run < n; ++run) {
      lhs.unit_point(run, u.data());
      for (std::size_t j = 0; j < lhs.dimension(); ++j) {
        REQUIRE(u[j] > 0.0);
        REQUIRE(u[j] < 1.0);
        const auto k = static_cast<std::size_t>(std::floor(u[j] * static_cast<double>(n)));
        REQUIRE(k == lhs.stratum(run, j));
        hits[j][k] += 1;
      }
    }
    for (const auto& dim : hits)
      for (int h : dim) REQUIRE(h == 1);
  }
}

TEST_CASE("latin hypercube: values in support, dimensions permuted independently", "[sweep][lhs]") {
  const std::size_t n = 500;
  const LatinHypercubeDesign lhs(mixed_distributions(), n, 2718);
  check_in_support(lhs);
  // Independent permutations: dimension 0 and 1 strata agree for about one run
  // (Poisson(1)); a shared permutation would agree for all 500.
  int agree = 0;
  for (std::size_t run = 0; run < n; ++run) agree += lhs.stratum(run, 0) == lhs.stratum(run, 1);
  CHECK(agree < 10);
}

// ---------------------------------------------------------------------------

TEST_CASE("morris: r(d+1) runs on the level grid, one move of +-Delta per step", "[sweep][morris]") {
  const std::size_t r = 20, p = 6;
  const MorrisDesign morris(bounded_distributions(), r, p, 1234);
  const std::size_t d = morris.dimension();
  REQUIRE(morris.size() == r * (d + 1));
  CHECK(morris.delta() == Approx(6.0 / 10.0));
  check_in_support(morris);

  std::vector<std::size_t> previous(d), level(d);
  std::vector<double> u(d);
  for (std::size_t t = 0; t < r; ++t) {
    std::vector<int> moved(d, 0);
    for (std::size_t s = 0; s <= d; ++s) {
      const std::size_t run = t * (d + 1) + s;
      morris.level_indices(run, level.data());
      morris.unit_point(run, u.data());
      const MorrisRole role = morris.role(run);
      REQUIRE(role.trajectory == t);
      REQUIRE(role.step == s);
      for (std::size_t j = 0; j < d; ++j) {
        REQUIRE(level[j] < p);
        REQUIRE(u[j] == static_cast<double>(level[j]) / (p - 1)); // on the grid {0, 1/(p-1), ..., 1}
      }
      if (s == 0) {
        REQUIRE(role.parameter == -1);
        REQUIRE(role.sign == 0);
      } else {
        std::size_t changes = 0;
        for (std::size_t j = 0; j < d; ++j) {
          if (level[j] == previous[j]) continue;
          ++changes;
          REQUIRE(static_cast<std::ptrdiff_t>(j) == role.parameter);
          const auto step = static_cast<std::ptrdiff_t>(level[j]) - static_cast<std::ptrdiff_t>(previous[j]);
          REQUIRE(step == role.sign * static_cast<std::ptrdiff_t>(p / 2)); // Delta = p/2 levels
          moved[j] += 1;
        }
        REQUIRE(changes == 1);
      }
      previous = level;
    }
    for (int m : moved) REQUIRE(m == 1); // each parameter changed exactly once
  }
}

TEST_CASE("morris: start levels, directions and orders vary between trajectories", "[sweep][morris]") {
  const std::size_t r = 200, p = 4;
  const MorrisDesign morris(
      {Distribution::uniform(0.0, 1.0), Distribution::uniform(0.0, 1.0), Distribution::uniform(0.0, 1.0)}, r,
      p, 77);
  std::set<std::vector<double>> starts;
  int first_parameter_counts[3] = {0, 0, 0}, upward = 0;
  for (std::size_t t = 0; t < r; ++t) {
    starts.insert(morris.values(t * 4));
    const MorrisRole role = morris.role(t * 4 + 1);
    first_parameter_counts[role.parameter] += 1;
    upward += role.sign > 0;
  }
  // 2^3 start levels times 2^3 directions: 4^3 = 64 possible starting points.
  CHECK(starts.size() > 40);
  for (int c : first_parameter_counts) CHECK(c > 30); // each ~200/3
  CHECK(upward > 60);
  CHECK(upward < 140);
}

TEST_CASE("morris: refuses odd p and unbounded distributions", "[sweep][morris]") {
  CHECK_THROWS_WITH(MorrisDesign(bounded_distributions(), 10, 5, 1), Contains("even"));
  CHECK_THROWS_WITH(MorrisDesign(bounded_distributions(), 0, 4, 1), Contains("trajectory"));
  CHECK_THROWS_WITH(MorrisDesign({Distribution::normal(0.0, 1.0)}, 10, 4, 1), Contains("unbounded"));
  const MorrisDesign p2({Distribution::uniform(0.0, 1.0)}, 3, 2, 1); // p = 2: Delta = 1, corners only
  CHECK(p2.size() == 6);
  for (std::size_t run = 0; run < p2.size(); ++run) {
    const double x = p2.values(run)[0];
    CHECK((x == 0.0 || x == 1.0));
  }
}

// ---------------------------------------------------------------------------

TEST_CASE("every design is deterministic, seed-dependent and thread-independent", "[sweep][determinism]") {
  std::vector<std::unique_ptr<Design>> same_seed, other_seed;
  const auto make = [&](std::uint64_t seed, std::vector<std::unique_ptr<Design>>& out) {
    out.push_back(std::make_unique<MonteCarloDesign>(mixed_distributions(), 300, seed));
    out.push_back(std::make_unique<LatinHypercubeDesign>(mixed_distributions(), 300, seed));
    out.push_back(std::make_unique<SobolSaltelliDesign>(mixed_distributions(), 64, seed));
    out.push_back(std::make_unique<MorrisDesign>(bounded_distributions(), 40, 4, seed));
  };
  make(11, same_seed);
  make(12, other_seed);
  const MonteCarloDesign again(mixed_distributions(), 300, 11);
  CHECK(all_bits(again) == all_bits(*same_seed[0]));
  for (std::size_t k = 0; k < same_seed.size(); ++k) {
    INFO("design " << k);
    const auto reference = all_bits(*same_seed[k]);
    CHECK(all_bits(*same_seed[k]) == reference);          // repeatable
    CHECK(all_bits_threaded(*same_seed[k]) == reference); // order and thread independent
    CHECK(all_bits(*other_seed[k]) != reference);         // the seed matters
  }
  // The grid has no seed, but must also be thread-independent.
  const GridDesign grid({linspace(0.0, 1.0, 11), logspace(1.0, 100.0, 7), {3.0, 4.0}});
  CHECK(all_bits_threaded(grid) == all_bits(grid));
}
