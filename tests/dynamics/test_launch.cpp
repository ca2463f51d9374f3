// Launch cost and learning (docs/model.md §3.1; §9, Wright's law).
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "dynamics/launch.hpp"

using namespace arcm;
using Catch::Matchers::WithinRel;

TEST_CASE("Wright's law: cost falls by (1 - p) per doubling of experience with no floor",
          "[launch][closed-form]") {
  for (double p : {0.75, 0.85, 0.95, 1.0}) {
    const double b = launch::learning_exponent(p);
    double previous = launch::own_cost(10.0, 0.0, b, 1.0);
    CHECK(previous == 10.0);
    for (double ratio = 2.0; ratio <= 1024.0; ratio *= 2.0) {
      const double now = launch::own_cost(10.0, 0.0, b, ratio);
      CHECK_THAT(now / previous, WithinRel(p, 1e-13));
      previous = now;
    }
  }
  // With a floor only the part above the floor learns.
  const double b = launch::learning_exponent(0.8);
  CHECK_THAT(launch::own_cost(10.0, 2.0, b, 4.0) - 2.0, WithinRel(8.0 * 0.64, 1e-13));
}

TEST_CASE("Spillovers: same bloc at chi_in, other blocs at chi_out (1 - T), none without a bloc",
          "[launch]") {
  std::vector<Actor> actors(4);
  actors[0].bloc = 0;
  actors[1].bloc = 0;
  actors[2].bloc = 1;
  actors[3].bloc = -1;
  const std::vector<double> x{100, 200, 400, 800};
  std::vector<double> totals(2), eff(4);
  launch::effective_experience(actors, x.data(), 0.5, 0.25, 0.2, 2, totals.data(), eff.data());
  CHECK_THAT(eff[0], WithinRel(100 + 0.5 * 200 + 0.25 * 0.8 * 400, 1e-15));
  CHECK_THAT(eff[1], WithinRel(200 + 0.5 * 100 + 0.25 * 0.8 * 400, 1e-15));
  CHECK_THAT(eff[2], WithinRel(400 + 0.25 * 0.8 * 300, 1e-15));
  CHECK(eff[3] == 800); // no bloc: neither gives nor receives
}

TEST_CASE("Launch purchase eligibility follows blocs and the cross-bloc rule", "[launch]") {
  Actor buyer, firm, state_provider, foreign;
  buyer.bloc = 0;
  firm.kind = ActorKind::firm;
  firm.launch_provider = true;
  firm.bloc = 0;
  state_provider.kind = ActorKind::state;
  state_provider.launch_provider = true;
  state_provider.bloc = 0;
  foreign = firm;
  foreign.bloc = 1;
  CHECK(launch::may_buy_from(buyer, 0, firm, 1, false));
  CHECK_FALSE(launch::may_buy_from(buyer, 0, firm, 0, true));           // not from oneself
  CHECK_FALSE(launch::may_buy_from(buyer, 0, state_provider, 2, true)); // states do not sell
  CHECK_FALSE(launch::may_buy_from(buyer, 0, foreign, 3, false));
  CHECK(launch::may_buy_from(buyer, 0, foreign, 3, true));
  Actor loner; // no bloc: only with cross-bloc launch
  CHECK_FALSE(launch::may_buy_from(loner, 0, firm, 1, false));
  CHECK(launch::may_buy_from(loner, 0, firm, 1, true));
}

TEST_CASE("The cheapest provider per buyer is the one trying every eligible provider in index order finds",
          "[launch]") {
  // Random actors (states and firms, with and without a bloc, selling launches
  // or not) and offers drawn from a few values, so that ties are common, with
  // NaN and infinity among them; both cross-bloc rules.
  std::mt19937_64 random(20261130);
  const std::vector<double> values{1.0,
                                   2.0,
                                   2.0,
                                   3.0,
                                   0.5,
                                   std::numeric_limits<double>::infinity(),
                                   std::numeric_limits<double>::quiet_NaN()};
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  long buyers_who_buy = 0, ties = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t n = 1 + pick(12), n_blocs = pick(4); // 0: nobody has a bloc
    std::vector<Actor> actors(n);
    for (Actor& a : actors) {
      a.kind = pick(3) == 0 ? ActorKind::state : ActorKind::firm;
      a.launch_provider = a.kind == ActorKind::firm && pick(2) == 0;
      a.bloc = static_cast<int>(pick(n_blocs + 1)) - 1; // −1: none
    }
    std::vector<double> own(n), offer(n);
    for (std::size_t i = 0; i < n; ++i) {
      own[i] = values[pick(values.size())];
      offer[i] = values[pick(values.size())];
    }
    for (bool cross : {false, true}) {
      const launch::LaunchMarket market(actors, n_blocs, cross);
      std::vector<launch::Offer> scratch(market.scratch_size());
      std::vector<int> provider(n);
      std::vector<double> cost(n);
      market.choose(own.data(), offer.data(), scratch.data(), provider.data(), cost.data());
      for (std::size_t i = 0; i < n; ++i) {
        double best = own[i];
        int expected = -1;
        for (std::size_t j = 0; j < n; ++j) {
          if (!launch::may_buy_from(actors[i], i, actors[j], j, cross)) continue;
          if (offer[j] < best) {
            best = offer[j];
            expected = static_cast<int>(j);
          } else if (expected >= 0 && offer[j] == best) {
            ++ties;
          }
        }
        INFO("trial " << trial << ", buyer " << i << ", cross-bloc " << cross);
        CHECK(provider[i] == expected);
        // The same bits (NaN where the buyer's own cost is NaN and it flies itself).
        CHECK(std::memcmp(&cost[i], &best, sizeof best) == 0);
        buyers_who_buy += expected >= 0;
      }
    }
  }
  // The draw exercises both outcomes and ties.
  CHECK(buyers_who_buy > 1000);
  CHECK(ties > 100);
}
