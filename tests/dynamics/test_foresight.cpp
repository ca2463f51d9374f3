// Perfect foresight (docs/model.md §3.15): the Hotelling rule against its
// closed forms, in the model and in a harness of the same solver; a
// monopolist's marginal revenue; n Cournot players against their
// semi-analytic path with limit pricing; convergence on every preset; the failure path.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "dynamics/expectations.hpp"
#include "dynamics/fixed_point.hpp"
#include "dynamics/integrate.hpp"
#include "scenario/loader.hpp"
#include "scenario/validation.hpp"
#include "support/result_access.hpp"

using namespace arcm;
using arcm::testing::var;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

const std::string HOTELLING = ARCM_TEST_DATA_DIR "/scenarios/hotelling_price_taker.yaml";

// ∫_a^b f by adaptive Simpson, to an absolute error `tolerance`.
double integrate(const std::function<double(double)>& f, double a, double b, double tolerance,
                 int depth = 40) {
  const double m = 0.5 * (a + b);
  const double fa = f(a), fm = f(m), fb = f(b);
  const std::function<double(double, double, double, double, double, double, double, int)> step =
      [&](double lo, double hi, double flo, double fmid, double fhi, double whole, double tol, int left) {
        const double mid = 0.5 * (lo + hi);
        const double l = 0.5 * (lo + mid), r = 0.5 * (mid + hi);
        const double fl = f(l), fr = f(r);
        const double left_part = (mid - lo) / 6.0 * (flo + 4.0 * fl + fmid);
        const double right_part = (hi - mid) / 6.0 * (fmid + 4.0 * fr + fhi);
        if (left <= 0 || std::fabs(left_part + right_part - whole) <= 15.0 * tol)
          return left_part + right_part + (left_part + right_part - whole) / 15.0;
        return step(lo, mid, flo, fl, fmid, left_part, 0.5 * tol, left - 1) +
               step(mid, hi, fmid, fr, fhi, right_part, 0.5 * tol, left - 1);
      };
  return step(a, b, fa, fm, fb, (b - a) / 6.0 * (fa + 4.0 * fm + fb), tolerance, depth);
}

// The root of a monotone g on [lo, hi] by bisection.
double bisect(const std::function<double(double)>& g, double lo, double hi) {
  const bool rising = g(hi) > g(lo);
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if ((g(mid) > 0.0) == rising)
      hi = mid;
    else
      lo = mid;
  }
  return 0.5 * (lo + hi);
}

// The semi-analytic Hotelling path of one price taker with constant unit cost
// c, isoelastic demand D0 e^{g t} (P / P0)^−ε and a backstop P̄: P = c + λ0
// e^{r t} until T, where c + λ0 e^{r T} = P̄ and the extraction to T is the
// stock (S0 − S_min: the model calls the stock exhausted at S_min).
struct HotellingSolution {
  double initial_rent; // λ0 [M$/t]
  double exhaustion;   // T [yr after t0]
};

HotellingSolution hotelling(const Scenario& s) {
  const Resource& r = s.resources[0];
  const double c = r.extraction_cost + r.transport_cost;
  const double rate = s.actors[0].discount_rate;
  const double cap = r.backstop_price;
  auto extracted_by = [&](double T) {
    const double rent0 = (cap - c) * std::exp(-rate * T);
    return integrate(
        [&](double t) {
          return r.demand * std::exp(r.demand_growth * t) *
                 std::pow((c + rent0 * std::exp(rate * t)) / r.reference_price, -r.elasticity);
        },
        0.0, T, 1e-10);
  };
  const double T =
      bisect([&](double date) { return extracted_by(date) - (r.stock - r.min_stock); }, 0.01, 500.0);
  return {(cap - c) * std::exp(-rate * T), T};
}

// When the extractor stops: the first output row with no extraction after
// rows with some, the stock followed from the row before at its extraction
// rate (a row-to-row chord would smear the stop over the interval). The stock
// left then must be at the threshold: `left` receives it.
double run_exhaustion(const RunResults& r, double& left) {
  const Variable& stock = var(r, "stock");
  const Variable& q = var(r, "total_extraction"); // (time, resource): every extractor's
  for (std::size_t j = 1; j < r.time.size(); ++j)
    if (q.data[j] <= 0.0 && q.data[j - 1] > 0.0) {
      left = stock.data[j];
      return r.time[j - 1] + (stock.data[j - 1] - stock.data[j]) / q.data[j - 1];
    }
  left = stock.data.back();
  return INFINITY;
}

void check_hotelling(const Scenario& s, double tolerance) {
  const HotellingSolution exact = hotelling(s);
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  CHECK(r.foresight_iterations > 0);
  CHECK(r.foresight_residual <= s.economy.foresight_tolerance);
  const Resource& ore = s.resources[0];
  const double c = ore.extraction_cost + ore.transport_cost;
  const double rate = s.actors[0].discount_rate;
  double left = 0.0;
  const double exhausted = run_exhaustion(r, left) - s.start_year;
  CHECK(left - ore.min_stock <= 1e-3 * ore.stock); // run out, to the threshold
  INFO("semi-analytic λ0 = " << exact.initial_rent << ", T = " << exact.exhaustion
                             << "; run T = " << exhausted);
  CHECK_THAT(exhausted, WithinRel(exact.exhaustion, tolerance));
  const Variable& price = var(r, "price");
  const Variable& cost = var(r, "unit_cost");
  const Variable& rent = var(r, "user_cost");
  CHECK_THAT(price.data[0], WithinRel(c + exact.initial_rent, tolerance));
  std::size_t compared = 0;
  for (std::size_t j = 0; j < r.time.size(); ++j) {
    const double t = r.time[j] - s.start_year;
    INFO("t = " << r.time[j]);
    if (t < exhausted - 0.5) {
      // P − c ∝ e^{r t}: the rent of the semi-analytic solution, to the tolerance...
      CHECK_THAT(price.data[j] - cost.data[j], WithinRel(exact.initial_rent * std::exp(rate * t), tolerance));
      // ... and the model's own rent grows at r exactly (to rounding).
      CHECK_THAT(rent.data[j], WithinRel(rent.data[0] * std::exp(rate * t), 1e-12));
      ++compared;
    } else if (t > exhausted + 0.5) {
      CHECK_THAT(price.data[j], WithinRel(ore.backstop_price, 1e-12)); // the backstop sets the price
    }
  }
  CHECK(compared > 10);
  // The price reaches the backstop when the stock runs out: c + λ0 e^{r T} = P̄.
  CHECK_THAT(c + rent.data[0] * std::exp(rate * exhausted), WithinRel(ore.backstop_price, tolerance));
}

// The semi-analytic path of n identical Cournot extractors sharing the stock,
// with constant unit cost c and no fringe (Lewis and Schmalensee): each one's
// marginal revenue P (1 − 1 / (n ε)) minus c is the rent μ0 e^{r t}, so P =
// (c + μ0 e^{r t}) n ε / (n ε − 1) until that reaches the backstop P̄ at t1;
// from then on they limit-price at P̄ and sell the demand there, until the
// rent has grown to P̄ − c at T, when the stock (S0 − S_min) is gone.
struct CournotHotellingSolution {
  double initial_rent;  // μ0 [M$/t]
  double limit_pricing; // t1 [yr after t0]
  double exhaustion;    // T [yr after t0]
};

CournotHotellingSolution cournot_hotelling(const Scenario& s, int players) {
  const Resource& r = s.resources[0];
  const double c = r.extraction_cost + r.transport_cost;
  const double rate = s.actors[0].discount_rate;
  const double cap = r.backstop_price;
  const double markup = players * r.elasticity / (players * r.elasticity - 1.0);
  auto demand = [&](double price, double t) {
    return r.demand * std::exp(r.demand_growth * t) * std::pow(price / r.reference_price, -r.elasticity);
  };
  auto dates = [&](double rent0) {
    const double t1 = std::max(0.0, std::log((cap / markup - c) / rent0) / rate);
    return std::make_pair(t1, std::log((cap - c) / rent0) / rate);
  };
  auto extracted_with = [&](double rent0) {
    const auto [t1, T] = dates(rent0);
    return integrate([&](double t) { return demand((c + rent0 * std::exp(rate * t)) * markup, t); }, 0.0, t1,
                     1e-10) +
           integrate([&](double t) { return demand(cap, t); }, t1, T, 1e-7);
  };
  REQUIRE(cap / markup > c); // an interior phase exists
  const double rent0 =
      bisect([&](double mu) { return extracted_with(mu) - (r.stock - r.min_stock); },
             (cap - c) * std::exp(-rate * 300.0), cap / markup - c); // T between 0 and 300 yr
  const auto [t1, T] = dates(rent0);
  return {rent0, t1, T};
}

} // namespace

TEST_CASE("Hotelling: a price taker's P − c grows at r and meets the backstop when the stock runs out",
          "[foresight][hotelling]") {
  Scenario s = load_scenario(HOTELLING);
  SECTION("the shipped case, tight tolerances") {
    check_hotelling(s, 1e-3);
  }
  SECTION("default grid and tolerances") {
    s.economy.foresight_step = NOT_SET;
    s.output.step = 1.0;
    s.economy.foresight_tolerance = Economy{}.foresight_tolerance;
    s.integrator = IntegratorSettings{};
    check_hotelling(s, 1e-3);
  }
  SECTION("inelastic demand, a higher discount rate, no demand growth, a smaller stock") {
    s.resources[0].elasticity = 0.7;
    s.resources[0].demand_growth = 0.0;
    s.resources[0].stock = 1200.0;
    s.resources[0].backstop_price = 15.0;
    s.actors[0].discount_rate = 0.08;
    validate(s);
    check_hotelling(s, 1e-3);
  }
}

TEST_CASE("Hotelling with linear demand in a harness of the same solver: T = 25.53 yr, p0 = 35.11",
          "[foresight][hotelling]") {
  // p = a − b q, unit cost c, discount rate r, stock S0 (a = 100, b = 1, c = 10, r = 0.05,
  // S0 = 1,000). The unknown is the model's: z = e^{−r T} for the expected exhaustion
  // date T; a "run" with it is the competitive path p = min(a, c + (a − c) z e^{r t}) on
  // a grid, and the update is the model's exhaustion_date() from the realised stock.
  const double a = 100, b = 1, c = 10, r = 0.05, S0 = 1000;
  std::vector<double> times;
  for (int j = 0; j <= 800; ++j) times.push_back(0.1 * j);
  const FixedPointMap map = [&](const std::vector<double>& x, std::vector<double>& next, std::string&) {
    const double z = x[0];
    const double expected = z > 0.0 ? -std::log(z) / r : INFINITY;
    const double rent0 = (a - c) * z;
    auto rate_at = [&](double t) {
      return std::max(0.0, (a - std::min(a, c + rent0 * std::exp(r * t))) / b);
    };
    std::vector<double> stock(times.size()), extraction(times.size());
    double left = S0;
    for (std::size_t j = 0; j < times.size(); ++j) {
      if (j > 0) // exact enough: Simpson over each grid interval, the stock never below 0
        left = std::max(0.0, left - integrate(rate_at, times[j - 1], times[j], 1e-12, 8));
      stock[j] = left;
      extraction[j] = left > 0.0 ? rate_at(times[j]) : 0.0;
    }
    const double exhausted = exhaustion_date(times, stock, extraction, 0.0, expected);
    next = {std::isfinite(exhausted) ? std::exp(-r * exhausted) : 0.0};
    return true;
  };
  std::vector<double> x{std::exp(-r * 10.0)}; // a first guess of 10 years
  FixedPointSettings settings;
  settings.tolerance = 1e-12;
  settings.max_iterations = 100;
  const FixedPointOutcome outcome = solve_fixed_point(
      x, {1.0}, map, [](std::vector<double>& v) { v[0] = std::clamp(v[0], 0.0, 1.0); }, settings);
  REQUIRE(outcome.converged);
  const double T = -std::log(x[0]) / r;
  const double p0 = c + (a - c) * x[0];
  // The closed form: 90 T − 1800 (1 − e^{−T/20}) = 1000.
  const double exact_T =
      bisect([&](double t) { return (a - c) * t - (a - c) / r * (1 - std::exp(-r * t)) - S0; }, 1.0, 100.0);
  INFO("T = " << T << ", p0 = " << p0 << ", closed form T = " << exact_T << ", iterations "
              << outcome.iterations);
  CHECK_THAT(T, WithinRel(exact_T, 1e-5));
  CHECK_THAT(T, WithinAbs(25.53, 0.005));
  CHECK_THAT(p0, WithinAbs(35.11, 0.005));
}

TEST_CASE("Cournot-Hotelling: a monopolist's marginal revenue minus marginal cost grows at r",
          "[foresight][hotelling]") {
  // Lewis–Schmalensee: with no fringe MR = P (1 − q / (ε Q_d)), and MR − c is the rent.
  Scenario s = load_scenario(HOTELLING);
  s.actors[0].conduct = Conduct::cournot;
  s.resources[0].backstop_price = 30.0;
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  const Resource& ore = s.resources[0];
  const double c = ore.extraction_cost + ore.transport_cost;
  const double rate = s.actors[0].discount_rate;
  const Variable& price = var(r, "price");
  const Variable& q = var(r, "extraction");
  const Variable& demand = var(r, "demand");
  const Variable& backstop = var(r, "backstop_supply");
  auto marginal_revenue = [&](std::size_t j) {
    return price.data[j] * (1.0 - q.data[j] / (ore.elasticity * demand.data[j]));
  };
  const double first = marginal_revenue(0) - c;
  REQUIRE(first > 0.0);
  std::size_t interior = 0;
  for (std::size_t j = 0; j < r.time.size(); ++j) {
    if (backstop.data[j] > 0.0 || q.data[j] <= 0.0 || price.data[j] >= ore.backstop_price) continue;
    INFO("t = " << r.time[j]);
    CHECK_THAT(marginal_revenue(j) - c, WithinRel(first * std::exp(rate * (r.time[j] - s.start_year)), 1e-9));
    // The monopoly price on the rent: P = (c + μ) ε / (ε − 1).
    CHECK_THAT(price.data[j],
               WithinRel((c + var(r, "user_cost").data[j]) * ore.elasticity / (ore.elasticity - 1.0), 1e-9));
    ++interior;
  }
  CHECK(interior > 10);
  // The stock runs out (to the threshold) within the run.
  double left = 0.0;
  CHECK(std::isfinite(run_exhaustion(r, left)));
  CHECK(left - ore.min_stock <= 1e-3 * ore.stock);
}

TEST_CASE("Cournot-Hotelling against its semi-analytic path: n identical players, then limit pricing at the "
          "backstop",
          "[foresight][hotelling]") {
  Scenario s = load_scenario(HOTELLING);
  s.actors[0].conduct = Conduct::cournot;
  int players = 1;
  SECTION("a monopolist") {
    s.resources[0].backstop_price = 30.0;
  }
  SECTION("three players, inelastic-ish demand, no demand growth, a higher discount rate") {
    players = 3;
    s.resources[0].elasticity = 0.9; // n ε = 2.7 > 1: each player's marginal revenue is positive
    s.resources[0].demand_growth = 0.0;
    s.resources[0].backstop_price = 40.0;
    s.resources[0].stock = 1500.0;
    s.actors[0].discount_rate = 0.07;
    s.actors[0].initial_capacity = {400.0};
    for (int k = 1; k < players; ++k) {
      Actor rival = s.actors[0];
      rival.id = "rival" + std::to_string(k);
      s.actors.push_back(rival);
    }
  }
  validate(s);
  const CournotHotellingSolution exact = cournot_hotelling(s, players);
  const RunResults r = simulate(s);
  REQUIRE(r.status == RunStatus::ok);
  CHECK(r.foresight_residual <= s.economy.foresight_tolerance);
  const Resource& ore = s.resources[0];
  const double c = ore.extraction_cost + ore.transport_cost;
  const double markup = players * ore.elasticity / (players * ore.elasticity - 1.0);
  const double rate = s.actors[0].discount_rate;
  double left = 0.0;
  const double exhausted = run_exhaustion(r, left) - s.start_year;
  INFO(players << " players: semi-analytic μ0 = " << exact.initial_rent << ", t1 = " << exact.limit_pricing
               << ", T = " << exact.exhaustion << "; run T = " << exhausted);
  CHECK(exact.limit_pricing > 5.0); // both phases are in the run
  CHECK(exact.exhaustion - exact.limit_pricing > 5.0);
  CHECK_THAT(exhausted, WithinRel(exact.exhaustion, 1e-3));
  CHECK(left - ore.min_stock <= 1e-3 * ore.stock);
  const Variable& price = var(r, "price");
  std::size_t interior = 0, limit = 0;
  for (std::size_t j = 0; j < r.time.size(); ++j) {
    const double t = r.time[j] - s.start_year;
    INFO("t = " << r.time[j]);
    if (t < exact.limit_pricing - 0.5) {
      CHECK_THAT(price.data[j], WithinRel((c + exact.initial_rent * std::exp(rate * t)) * markup, 1e-3));
      ++interior;
    } else if (t > exact.limit_pricing + 0.5) {
      CHECK_THAT(price.data[j], WithinRel(ore.backstop_price, 1e-12)); // limit pricing, then the backstop
      ++limit;
    }
  }
  CHECK(interior > 10);
  CHECK(limit > 10);
  // Every player holds the same rent, the semi-analytic one.
  const Variable& rent = var(r, "user_cost");
  REQUIRE(rent.dims.size() == 3); // (time, actor, resource), one resource
  for (int k = 0; k < players; ++k) CHECK_THAT(rent.data[k], WithinRel(exact.initial_rent, 1e-3));
}

TEST_CASE("The fixed point converges on the baseline and every preset", "[foresight][presets]") {
  for (const char* preset : {"baseline", "artemis_bloc", "competitive_cooperation", "moon_agreement",
                             "national_property", "ost_ambiguity", "two_bloc_fragmentation"}) {
    INFO(preset);
    Scenario s = load_scenario(std::string(ARCM_SOURCE_DIR) + "/config/scenarios/" + preset + ".yaml");
    s.economy.expectations = Expectations::perfect_foresight;
    const RunResults r = simulate(s);
    INFO(r.message);
    CHECK(r.status == RunStatus::ok);
    CHECK(r.foresight_iterations >= 2);
    CHECK(r.foresight_residual <= s.economy.foresight_tolerance);
  }
}

TEST_CASE("A fixed point that does not converge fails the run with the reason", "[foresight][failure]") {
  Scenario s = load_scenario(HOTELLING);
  s.economy.foresight_max_iterations = 2;
  const RunResults r = simulate(s);
  CHECK(r.status == RunStatus::failed);
  CHECK_THAT(r.message, Contains("perfect foresight did not converge") && Contains("after 2 iterations") &&
                            Contains("economy.foresight_tolerance"));
  CHECK(r.foresight_iterations == 2);
  CHECK(r.foresight_residual > s.economy.foresight_tolerance);
  CHECK(std::isnan(var(r, "price").data[0])); // no half-converged path is passed off as a result
}

TEST_CASE("Myopic expectations leave the run as it was; perfect foresight is deterministic",
          "[foresight][determinism]") {
  Scenario s = load_scenario(std::string(ARCM_SOURCE_DIR) + "/config/scenarios/baseline.yaml");
  const RunResults myopic = simulate(s);
  CHECK(myopic.foresight_iterations == 0);
  CHECK(std::isnan(myopic.foresight_residual));
  s.economy.expectations = Expectations::perfect_foresight;
  const RunResults once = simulate(s), twice = simulate(s);
  REQUIRE(once.status == RunStatus::ok);
  for (std::size_t v = 0; v < once.trajectories.size(); ++v)
    CHECK(once.trajectories[v].data == twice.trajectories[v].data);
  CHECK(once.foresight_iterations == twice.foresight_iterations);
  // And it is a different model: the expected path moves investment.
  CHECK(var(once, "investment").data != var(myopic, "investment").data);
}

TEST_CASE("Fixed-point solver: a contraction converges, a failing map and the limit are reported",
          "[foresight][fixed_point]") {
  // x = cos(x) (slope −0.67 at the root 0.739085...).
  const FixedPointMap cosine = [](const std::vector<double>& x, std::vector<double>& g, std::string&) {
    g = {std::cos(x[0])};
    return true;
  };
  for (long memory : {0L, 3L}) {
    std::vector<double> x{0.0};
    FixedPointSettings settings;
    settings.tolerance = 1e-12;
    settings.memory = memory;
    settings.max_iterations = 200;
    const FixedPointOutcome outcome = solve_fixed_point(x, {1.0}, cosine, {}, settings);
    CHECK(outcome.converged);
    CHECK_THAT(x[0], WithinAbs(0.7390851332151607, 1e-11));
    if (memory > 0) CHECK(outcome.iterations < 15); // Anderson: superlinear
  }
  std::vector<double> x{0.0};
  FixedPointSettings few;
  few.max_iterations = 3;
  const FixedPointOutcome limited = solve_fixed_point(x, {1.0}, cosine, {}, few);
  CHECK_FALSE(limited.converged);
  CHECK(limited.iterations == 3);
  const FixedPointMap failing = [](const std::vector<double>&, std::vector<double>&, std::string& why) {
    why = "no";
    return false;
  };
  const FixedPointOutcome failed = solve_fixed_point(x, {1.0}, failing, {}, few);
  CHECK(failed.failure == "no");
  CHECK(failed.iterations == 1);
}
