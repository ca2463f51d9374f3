#include "market/cournot.hpp"

#include <algorithm>
#include <cmath>

namespace arcm::market {

double quantity_demanded(const MarketConditions& m, double price) {
  return m.demand_scale * std::pow(price / m.reference_price, -m.elasticity);
}

double fringe_quantity(const MarketConditions& m, double price) {
  if (m.fringe_supply <= 0.0) return 0.0;
  return m.fringe_supply * std::pow(price / m.reference_price, m.fringe_elasticity);
}

namespace {

// Bisection alone needs about 60 halvings from a bracket of width 10 in ln P
// down to 1e-13; the limit only guards against a logic error.
constexpr int MAX_ITERATIONS = 400;

// Best response given Φ(P) already computed (saves two pow calls per player).
inline double best_response_given_phi(double phi, const Player& player, double price) {
  const double interior = phi * (1.0 - player.marginal_cost / price);
  return std::min(player.capacity, std::max(0.0, interior));
}

struct Evaluation {
  double h;      // excess-supply ratio
  double demand; // Q_d
  double fringe; // Q_f
};

Evaluation evaluate(const MarketConditions& m, const Player* players, std::size_t n, double price) {
  const double demand = quantity_demanded(m, price);
  const double fringe = fringe_quantity(m, price);
  const double phi = m.elasticity * demand + m.fringe_elasticity * fringe;
  double supply = fringe;
  for (std::size_t i = 0; i < n; ++i)
    if (players[i].capacity > 0.0) supply += best_response_given_phi(phi, players[i], price);
  return {supply / demand - 1.0, demand, fringe};
}

} // namespace

double best_response(const MarketConditions& m, const Player& player, double price) {
  if (player.capacity <= 0.0) return 0.0;
  const double phi =
      m.elasticity * quantity_demanded(m, price) + m.fringe_elasticity * fringe_quantity(m, price);
  return best_response_given_phi(phi, player, price);
}

double excess_supply(const MarketConditions& m, const Player* players, std::size_t n_players, double price) {
  return evaluate(m, players, n_players, price).h;
}

Clearing clear_market(const MarketConditions& m, const Player* players, std::size_t n, double* outputs,
                      double price_guess) {
  Clearing result;
  const bool has_backstop = std::isfinite(m.backstop_price);
  double h_at_cap = 0.0; // h(P̄) when there is a backstop; >= 0 in the interior regime

  // Cap regime: at the backstop price the players and the fringe fall short
  // of demand, so the backstop sets the price and covers the rest.
  if (has_backstop) {
    const double cap = m.backstop_price;
    const Evaluation at_cap = evaluate(m, players, n, cap);
    result.evaluations = 1;
    h_at_cap = at_cap.h;
    if (at_cap.h < 0.0) {
      const double phi = m.elasticity * at_cap.demand + m.fringe_elasticity * at_cap.fringe;
      double produced = 0.0;
      double total_slack = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        outputs[i] = players[i].capacity > 0.0 ? best_response_given_phi(phi, players[i], cap) : 0.0;
        produced += outputs[i];
      }
      const double remaining = at_cap.demand - at_cap.fringe - produced;
      // Slack capacity counts in full only for players well inside the money,
      // which keeps outputs continuous where a cost crosses the cap.
      auto slack_of = [&](std::size_t i) {
        if (players[i].capacity <= 0.0) return 0.0;
        const double eligibility =
            std::clamp((cap - players[i].marginal_cost) / (m.eligibility_band * cap), 0.0, 1.0);
        return eligibility * (players[i].capacity - outputs[i]);
      };
      for (std::size_t i = 0; i < n; ++i) total_slack += slack_of(i);
      if (total_slack > 0.0) {
        const double fill = std::min(1.0, remaining / total_slack);
        produced = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          outputs[i] += slack_of(i) * fill;
          produced += outputs[i];
        }
      }
      result.price = cap;
      result.demand = at_cap.demand;
      result.fringe = at_cap.fringe;
      result.backstop = std::max(0.0, at_cap.demand - at_cap.fringe - produced);
      result.capped = true;
      return result;
    }
  }

  // Interior regime: the unique root of the nondecreasing h on (0, P̄].
  // Work in x = ln P, where a relative tolerance on P is an absolute one on x.
  auto h_at = [&](double x) {
    ++result.evaluations;
    return evaluate(m, players, n, std::exp(x)).h;
  };
  double guess = price_guess > 0.0 ? price_guess : m.reference_price;
  if (has_backstop) guess = std::min(guess, m.backstop_price);
  double x_lo = std::log(guess);
  double h_lo = h_at(x_lo);
  double x_hi = x_lo;
  double h_hi = h_lo;
  // Expand a bracket from the guess: h -> -1 as P -> 0, and h(P̄) >= 0 here
  // (or h -> +inf as P -> inf thanks to the fringe when there is no backstop).
  double step = 0.05;
  if (h_lo >= 0.0) {
    while (h_lo >= 0.0) {
      x_hi = x_lo;
      h_hi = h_lo;
      x_lo -= step;
      step *= 2.0;
      h_lo = h_at(x_lo);
    }
  } else {
    const double x_cap = has_backstop ? std::log(m.backstop_price) : INFINITY;
    while (h_hi < 0.0) {
      x_lo = x_hi;
      h_lo = h_hi;
      if (x_hi + step >= x_cap) {
        // The cap regime was ruled out, so h(P̄) >= 0 closes the bracket.
        x_hi = x_cap;
        h_hi = h_at_cap;
        break;
      }
      x_hi += step;
      step *= 2.0;
      h_hi = h_at(x_hi);
    }
  }
  // Safeguarded regula falsi (Illinois variant) with bisection fallback:
  // h is monotone but only piecewise smooth, so every iterate keeps the bracket.
  int side = 0;
  double x_root = h_hi == 0.0 ? x_hi : x_lo;
  for (int iteration = 0;
       iteration < MAX_ITERATIONS && h_lo != 0.0 && h_hi != 0.0 && x_hi - x_lo > PRICE_RELATIVE_TOLERANCE;
       ++iteration) {
    double x_new = (x_lo * h_hi - x_hi * h_lo) / (h_hi - h_lo);
    // Fall back to bisection when the secant leaves the inner 90 % of the bracket.
    const double width = x_hi - x_lo;
    if (!(x_new > x_lo + 0.05 * width && x_new < x_hi - 0.05 * width)) x_new = 0.5 * (x_lo + x_hi);
    const double h_new = h_at(x_new);
    if (h_new == 0.0) {
      x_lo = x_hi = x_new;
      h_lo = h_hi = 0.0;
      break;
    }
    if (h_new < 0.0) {
      x_lo = x_new;
      h_lo = h_new;
      if (side == -1) h_hi *= 0.5;
      side = -1;
    } else {
      x_hi = x_new;
      h_hi = h_new;
      if (side == 1) h_lo *= 0.5;
      side = 1;
    }
  }
  if (h_lo == 0.0)
    x_root = x_lo;
  else if (h_hi == 0.0)
    x_root = x_hi;
  else
    x_root = 0.5 * (x_lo + x_hi);

  const double price = std::exp(x_root);
  const Evaluation at_root = evaluate(m, players, n, price);
  const double phi = m.elasticity * at_root.demand + m.fringe_elasticity * at_root.fringe;
  for (std::size_t i = 0; i < n; ++i)
    outputs[i] = players[i].capacity > 0.0 ? best_response_given_phi(phi, players[i], price) : 0.0;
  result.price = price;
  result.demand = at_root.demand;
  result.fringe = at_root.fringe;
  result.backstop = 0.0;
  result.capped = false;
  return result;
}

} // namespace arcm::market
