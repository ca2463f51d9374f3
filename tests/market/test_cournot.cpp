// Closed-form checks of the market clearing (docs/model.md §3.4, §9).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "market/cournot.hpp"

using namespace arcm::market;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

MarketConditions plain_market(double elasticity) {
  MarketConditions m;
  m.demand_scale = 1000.0;
  m.reference_price = 2.0;
  m.elasticity = elasticity;
  return m;
}

constexpr double BIG = 1e12; // capacity that never binds [t/yr]

} // namespace

TEST_CASE("Cournot price of asymmetric players matches the closed form", "[market][closed-form]") {
  // P* = Σ ĉ / (n − 1/ε) when there is no fringe, nε > 1 and every share is interior.
  const double elasticity = 1.5;
  const std::vector<Player> players{{BIG, 1.0}, {BIG, 1.2}, {BIG, 1.5}};
  const double expected = (1.0 + 1.2 + 1.5) / (3.0 - 1.0 / elasticity);
  std::vector<double> q(players.size());
  const Clearing c = clear_market(plain_market(elasticity), players.data(), players.size(), q.data());
  REQUIRE_FALSE(c.capped);
  // The solver promises 1e-13 relative on P; allow a little for exp/log round-off.
  CHECK_THAT(c.price, WithinRel(expected, 1e-12));
  for (std::size_t i = 0; i < players.size(); ++i)
    CHECK_THAT(q[i], WithinRel(elasticity * c.demand * (1.0 - players[i].marginal_cost / c.price), 1e-12));
  double supplied = 0.0;
  for (double v : q) supplied += v;
  CHECK_THAT(supplied, WithinRel(c.demand, 1e-12));
}

TEST_CASE("Symmetric Cournot players share the market equally", "[market][closed-form]") {
  const double elasticity = 0.8;
  const std::vector<Player> players(4, Player{BIG, 3.0});
  std::vector<double> q(4);
  const Clearing c = clear_market(plain_market(elasticity), players.data(), 4, q.data());
  CHECK_THAT(c.price, WithinRel(4 * 3.0 / (4 - 1 / elasticity), 1e-12));
  for (double v : q) CHECK_THAT(v, WithinRel(c.demand / 4, 1e-12));
}

TEST_CASE("A capacity-bound player produces its usable capacity and the rest clear the market",
          "[market][closed-form]") {
  const double elasticity = 1.2;
  const double bound = 50.0; // well below its interior best response
  const std::vector<Player> players{{bound, 0.5}, {BIG, 1.0}, {BIG, 1.1}};
  std::vector<double> q(3);
  const MarketConditions m = plain_market(elasticity);
  const Clearing c = clear_market(m, players.data(), 3, q.data());
  CHECK(q[0] == bound);
  // Residual first-order conditions: K1/Q_d + ε Σ_{j>1}(1 − ĉ_j/P) = 1.
  const double residual = bound / c.demand + elasticity * ((1 - 1.0 / c.price) + (1 - 1.1 / c.price)) - 1.0;
  CHECK_THAT(residual, WithinAbs(0.0, 1e-11));
  CHECK_THAT(c.demand, WithinRel(quantity_demanded(m, c.price), 1e-15));
}

TEST_CASE("With a competitive fringe the first-order conditions hold at the root", "[market][closed-form]") {
  MarketConditions m = plain_market(0.5); // nε < 1: no root without the fringe
  m.fringe_supply = 400.0;
  m.fringe_elasticity = 0.7;
  const std::vector<Player> players{{BIG, 1.0}, {300.0, 0.8}};
  std::vector<double> q(2);
  const Clearing c = clear_market(m, players.data(), 2, q.data());
  REQUIRE_FALSE(c.capped);
  const double phi = m.elasticity * c.demand + m.fringe_elasticity * c.fringe;
  CHECK_THAT(q[0], WithinRel(std::min(BIG, phi * (1 - 1.0 / c.price)), 1e-12));
  CHECK_THAT(q[1], WithinRel(std::min(300.0, std::max(0.0, phi * (1 - 0.8 / c.price))), 1e-12));
  CHECK_THAT(q[0] + q[1] + c.fringe, WithinRel(c.demand, 1e-12));
  CHECK_THAT(c.fringe, WithinRel(fringe_quantity(m, c.price), 1e-15));
}

TEST_CASE("The fringe alone sets the price when nobody has capacity", "[market][closed-form]") {
  MarketConditions m = plain_market(0.5);
  m.fringe_supply = 500.0;
  m.fringe_elasticity = 0.5;
  // Q_d = Q_f  <=>  1000 (P/2)^-0.5 = 500 (P/2)^0.5  <=>  P = 4.
  const std::vector<Player> players{{0.0, 1.0}};
  std::vector<double> q(1);
  const Clearing c = clear_market(m, players.data(), 1, q.data());
  CHECK_THAT(c.price, WithinRel(4.0, 1e-12));
  CHECK(q[0] == 0.0);
}

TEST_CASE("Cap regime: with no root the backstop sets the price and fills demand", "[market][closed-form]") {
  MarketConditions m = plain_market(0.5); // one player, nε = 0.5 <= 1: h < 0 everywhere
  m.backstop_price = 5.0;
  const std::vector<Player> players{{BIG, 1.0}};
  std::vector<double> q(1);
  const Clearing c = clear_market(m, players.data(), 1, q.data());
  REQUIRE(c.capped);
  CHECK(c.price == 5.0);
  CHECK_THAT(c.demand, WithinRel(quantity_demanded(m, 5.0), 1e-15));
  // The player is well inside the money with slack capacity: it fills all of demand.
  CHECK_THAT(q[0], WithinRel(c.demand, 1e-12));
  CHECK_THAT(c.backstop, WithinAbs(0.0, 1e-9 * c.demand));
}

TEST_CASE("Cap regime with no players: the backstop supplies everything", "[market][closed-form]") {
  MarketConditions m = plain_market(1.0);
  m.backstop_price = 3.0;
  m.fringe_supply = 100.0;
  m.fringe_elasticity = 0.0;
  std::vector<Player> players{{0.0, 1.0}};
  std::vector<double> q(1);
  const Clearing c = clear_market(m, players.data(), 0, q.data());
  REQUIRE(c.capped);
  CHECK(c.price == 3.0);
  CHECK_THAT(c.backstop, WithinRel(quantity_demanded(m, 3.0) - 100.0, 1e-14));
}

TEST_CASE("Cap regime rationing: slack fills the remaining demand in proportion", "[market][closed-form]") {
  MarketConditions m = plain_market(0.3);
  m.backstop_price = 4.0;
  m.eligibility_band = 0.02;
  // Both deep in the money; capacities bind below demand, so the backstop covers the rest.
  const std::vector<Player> players{{100.0, 1.0}, {200.0, 2.0}};
  std::vector<double> q(2);
  const Clearing c = clear_market(m, players.data(), 2, q.data());
  REQUIRE(c.capped);
  CHECK(q[0] == Approx(100.0).epsilon(1e-14));
  CHECK(q[1] == Approx(200.0).epsilon(1e-14));
  CHECK_THAT(c.backstop, WithinRel(c.demand - 300.0, 1e-12));
  // A player whose cost sits inside the eligibility band offers only part of
  // its slack; slack is used in proportion when it exceeds the remaining demand.
  const std::vector<Player> mixed{{1000.0, 1.0}, {1000.0, 4.0 * (1 - 0.01)}};
  const Clearing c2 = clear_market(m, mixed.data(), 2, q.data());
  REQUIRE(c2.capped);
  const double q0a = best_response(m, mixed[0], 4.0), q0b = best_response(m, mixed[1], 4.0);
  const double slack_a = 1.0 * (1000.0 - q0a), slack_b = 0.5 * (1000.0 - q0b); // e_b = 0.01 / 0.02
  const double remaining = c2.demand - q0a - q0b;
  REQUIRE(remaining < slack_a + slack_b);
  CHECK_THAT(q[0], WithinRel(q0a + slack_a * remaining / (slack_a + slack_b), 1e-12));
  CHECK_THAT(q[1], WithinRel(q0b + slack_b * remaining / (slack_a + slack_b), 1e-12));
  CHECK_THAT(c2.backstop, WithinAbs(0.0, 1e-9 * c2.demand));
}

TEST_CASE("Outputs are continuous where the regime switches", "[market][continuity]") {
  const double elasticity = 1.5;
  const std::vector<Player> players{{BIG, 1.0}, {BIG, 1.2}};
  std::vector<double> q(2), q_cap(2), q_in(2);
  MarketConditions m = plain_market(elasticity);
  const Clearing free_market = clear_market(m, players.data(), 2, q.data());
  const double p_star = free_market.price;
  m.backstop_price = p_star * (1 + 1e-9); // just above: interior
  const Clearing above = clear_market(m, players.data(), 2, q_in.data());
  m.backstop_price = p_star * (1 - 1e-9); // just below: capped
  const Clearing below = clear_market(m, players.data(), 2, q_cap.data());
  REQUIRE_FALSE(above.capped);
  REQUIRE(below.capped);
  CHECK_THAT(below.price, WithinRel(above.price, 1e-8));
  for (int i = 0; i < 2; ++i) CHECK_THAT(q_cap[i], WithinRel(q_in[i], 1e-7));
  CHECK_THAT(below.backstop, WithinAbs(0.0, 1e-7 * below.demand));
}

TEST_CASE("Outputs are continuous where a player's cost crosses the cap", "[market][continuity]") {
  MarketConditions m = plain_market(0.4);
  m.backstop_price = 2.0;
  std::vector<double> q_lo(1), q_hi(1);
  // Finite capacity: the slack rule's slope is K̃ / (ν P̄), so continuity is
  // measured against that scale.
  const std::vector<Player> just_below{{500.0, 2.0 * (1 - 1e-10)}};
  const std::vector<Player> just_above{{500.0, 2.0 * (1 + 1e-10)}};
  const Clearing a = clear_market(m, just_below.data(), 1, q_lo.data());
  const Clearing b = clear_market(m, just_above.data(), 1, q_hi.data());
  CHECK(a.capped);
  CHECK(b.capped);
  CHECK_THAT(q_lo[0], WithinAbs(q_hi[0], 1e-6 * a.demand));
  CHECK_THAT(a.backstop, WithinAbs(b.backstop, 1e-6 * a.demand));
}

TEST_CASE("The clearing function is nondecreasing and tends to -1 at low prices", "[market]") {
  MarketConditions m = plain_market(0.9);
  m.fringe_supply = 50;
  m.fringe_elasticity = 0.3;
  const std::vector<Player> players{{80.0, 1.0}, {BIG, 2.5}, {10.0, 0.2}};
  double previous = -2.0;
  for (double p = 1e-3; p < 1e3; p *= 1.1) {
    const double h = excess_supply(m, players.data(), players.size(), p);
    CHECK(h >= previous - 1e-15);
    previous = h;
  }
  CHECK(excess_supply(m, players.data(), players.size(), 1e-9) == Approx(-1.0).margin(1e-3));
}

TEST_CASE("The price guess changes nothing beyond the solver tolerance", "[market]") {
  MarketConditions m = plain_market(1.3);
  m.fringe_supply = 20;
  m.fringe_elasticity = 1.0;
  const std::vector<Player> players{{500.0, 1.0}, {BIG, 1.7}};
  std::vector<double> q(2);
  const double reference = clear_market(m, players.data(), 2, q.data()).price;
  for (double guess : {1e-6, 0.1, 3.0, 1e4})
    CHECK_THAT(clear_market(m, players.data(), 2, q.data(), guess).price, WithinRel(reference, 1e-12));
}

TEST_CASE("The interior price brackets the root of h within the tolerance on random markets", "[market]") {
  // Markets with players idle, interior and capacity-bound, with and without
  // fringe and backstop, from cold and warm starts: wherever the solver says
  // "interior", h (evaluated independently, with pow) changes sign within
  // ±1e-12 relative of the price it returns.
  std::uint64_t state = 12345;
  auto uniform = [&state]() { // splitmix64
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  int interior = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    MarketConditions m;
    m.demand_scale = std::exp(10 * uniform() - 2);
    m.reference_price = std::exp(4 * uniform() - 2);
    m.elasticity = 0.1 + 2 * uniform();
    if (uniform() < 0.5) {
      m.fringe_supply = m.demand_scale * uniform();
      m.fringe_elasticity = 2 * uniform();
    }
    if (uniform() < 0.5 || m.fringe_supply == 0.0)
      m.backstop_price = m.reference_price * std::exp(3 * uniform() - 1);
    std::vector<Player> players(1 + static_cast<std::size_t>(5 * uniform()));
    for (Player& p : players) {
      p.capacity = uniform() < 0.2 ? 0.0 : m.demand_scale * std::exp(3 * uniform() - 3);
      p.marginal_cost = m.reference_price * std::exp(2 * uniform() - 1.5);
    }
    const double guess = uniform() < 0.3 ? 0.0 : m.reference_price * std::exp(2 * uniform() - 1);
    std::vector<double> q(players.size());
    const Clearing c = clear_market(m, players.data(), players.size(), q.data(), guess);
    if (c.capped) continue;
    ++interior;
    INFO("trial " << trial << ", price " << c.price);
    CHECK(excess_supply(m, players.data(), players.size(), c.price * (1 - 1e-12)) <= 1e-12);
    CHECK(excess_supply(m, players.data(), players.size(), c.price * (1 + 1e-12)) >= -1e-12);
  }
  CHECK(interior > 500);
}

TEST_CASE("A warm start next to the root converges in a few evaluations of h", "[market]") {
  MarketConditions m = plain_market(1.3);
  m.fringe_supply = 20;
  m.fringe_elasticity = 1.0;
  const std::vector<Player> players{{500.0, 1.0}, {BIG, 1.7}, {80.0, 0.5}};
  std::vector<double> q(3);
  const double root = clear_market(m, players.data(), 3, q.data()).price;
  // As between two evaluations of the right-hand side: the price moved by 1e-3.
  const Clearing warm = clear_market(m, players.data(), 3, q.data(), root * 1.001);
  CHECK_THAT(warm.price, WithinRel(root, 1e-12));
  CHECK(warm.evaluations <= 4);
}

TEST_CASE("Clearing in logarithms is the same clearing, and its ln P warm-starts the next", "[market]") {
  MarketConditions m = plain_market(1.3);
  m.fringe_supply = 20;
  m.fringe_elasticity = 1.0;
  const std::vector<Player> players{{500.0, 1.0}, {BIG, 1.7}, {80.0, 0.5}};
  std::vector<double> q(3), q_log(3);
  const double log_reference = std::log(m.reference_price);
  for (double guess : {0.0, 0.5, 2.0, 40.0}) {
    CAPTURE(guess);
    const Clearing plain = clear_market(m, players.data(), 3, q.data(), guess);
    const Clearing logged = clear_market_log(m, log_reference, players.data(), 3, q_log.data(),
                                             guess > 0.0 ? std::log(guess) : NAN);
    // Same arithmetic, so the same bits.
    CHECK(logged.price == plain.price);
    CHECK(logged.evaluations == plain.evaluations);
    CHECK(q_log == q);
    CHECK_THAT(logged.log_price, WithinAbs(std::log(logged.price), 1e-15));
  }
  // Warm start from the returned ln P after a small change of the market.
  const Clearing first = clear_market_log(m, log_reference, players.data(), 3, q_log.data(), NAN);
  m.demand_scale *= 1.001;
  const Clearing next = clear_market_log(m, log_reference, players.data(), 3, q_log.data(), first.log_price);
  CHECK_THAT(next.price, WithinRel(clear_market(m, players.data(), 3, q.data()).price, 1e-12));
  CHECK(next.evaluations <= 4);

  // In the cap regime ln P is ln P̄.
  m.backstop_price = 0.2;
  const Clearing capped = clear_market_log(m, log_reference, players.data(), 3, q_log.data(), NAN);
  REQUIRE(capped.capped);
  CHECK(capped.log_price == std::log(0.2));
}
