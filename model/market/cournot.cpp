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

// Newton converges in a handful of steps from a warm start; bisection alone
// needs about 60 halvings from a bracket of width 10 in ln P down to 1e-13.
// The limit only guards against a logic error.
constexpr int MAX_ITERATIONS = 400;

// The largest Newton step in ln P (a factor e^2 in P): far from the root the
// tangent of a kinked h can point anywhere.
constexpr double MAX_LOG_STEP = 2.0;

// Best response given Φ(P) already computed (saves two pow calls per player).
inline double best_response_given_phi(const MarketConditions& m, double phi, const Player& player,
                                      double price) {
  if (player.price_taker)
    return player.capacity * std::clamp((1.0 - player.marginal_cost / price) / m.price_taking_band, 0.0, 1.0);
  const double interior = phi * (1.0 - player.marginal_cost / price);
  return std::min(player.capacity, std::max(0.0, interior));
}

// h and its derivative in y = ln P, written relative to demand so that one
// exp per curve suffices (no pow):
//   Q_f / Q_d = (F_0 / D_0) e^{(ε + η) a},  K̃ / Q_d = (K̃ / D_0) e^{ε a},  a =
//   ln(P / P_0), h(y) = Σ_i clamp(ψ (1 − ĉ_i e^{−y}), 0, K̃_i / Q_d) + Q_f / Q_d
//   − 1,  ψ = ε + η Q_f / Q_d.
// Each term is differentiable except where a player switches between idle,
// interior and capacity-bound; there the derivative of the side the player
// is on is used (h is monotone and continuous, so Newton stays safe inside a
// bracket).
struct LogPoint {
  double price;  // P = e^y
  double demand; // Q_d(P)
  double fringe; // Q_f(P)
  double h;      // excess-supply ratio
  double slope;  // dh / d ln P
};

class LogCurve {
public:
  LogCurve(const MarketConditions& m, double log_reference_price, const Player* players, std::size_t n)
      : m_(m), players_(players), n_(n), log_reference_(log_reference_price),
        fringe_ratio_(m.fringe_supply > 0.0 ? m.fringe_supply / m.demand_scale : 0.0),
        inverse_demand_(1.0 / m.demand_scale), inverse_taking_band_(1.0 / m.price_taking_band) {}

  LogPoint at(double y) const {
    const double a = y - log_reference_;
    const double price = std::exp(y);
    const double inverse_price = 1.0 / price;
    const double e = m_.elasticity, eta = m_.fringe_elasticity;
    const double demand_growth = std::exp(e * a); // D_0 / Q_d
    const double r = fringe_ratio_ > 0.0 ? fringe_ratio_ * std::exp((e + eta) * a) : 0.0;
    const double psi = e + eta * r;
    const double psi_slope = eta * (e + eta) * r;
    double sum = r;
    double slope = (e + eta) * r;
    for (std::size_t i = 0; i < n_; ++i) {
      const Player& p = players_[i];
      if (p.capacity <= 0.0) continue;
      const double cost_ratio = p.marginal_cost * inverse_price;
      if (p.price_taker) {
        // K̃ / Q_d · f with f = clamp((1 − ĉ/P) / ν_pt, 0, 1); df/dy = (ĉ/P) / ν_pt inside the band.
        const double share = (1.0 - cost_ratio) * inverse_taking_band_;
        if (share <= 0.0) continue;
        const double bound = p.capacity * inverse_demand_ * demand_growth;
        if (share >= 1.0) {
          sum += bound;
          slope += e * bound;
        } else {
          sum += bound * share;
          slope += e * bound * share + bound * cost_ratio * inverse_taking_band_;
        }
        continue;
      }
      const double interior = psi * (1.0 - cost_ratio);
      if (interior <= 0.0) continue;
      const double bound = p.capacity * inverse_demand_ * demand_growth;
      if (interior >= bound) {
        sum += bound;
        slope += e * bound;
      } else {
        sum += interior;
        slope += psi_slope * (1.0 - cost_ratio) + psi * cost_ratio;
      }
    }
    const double demand = m_.demand_scale / demand_growth;
    return {price, demand, r * demand, sum - 1.0, slope};
  }

private:
  const MarketConditions& m_;
  const Player* players_;
  std::size_t n_;
  double log_reference_;
  double fringe_ratio_;
  double inverse_demand_;
  double inverse_taking_band_;
};

// Outputs of every player at a point of the curve.
void write_outputs(const MarketConditions& m, const Player* players, std::size_t n, const LogPoint& at,
                   double* outputs) {
  const double phi = m.elasticity * at.demand + m.fringe_elasticity * at.fringe;
  for (std::size_t i = 0; i < n; ++i)
    outputs[i] = players[i].capacity > 0.0 ? best_response_given_phi(m, phi, players[i], at.price) : 0.0;
}

} // namespace

double best_response(const MarketConditions& m, const Player& player, double price) {
  if (player.capacity <= 0.0) return 0.0;
  const double phi =
      m.elasticity * quantity_demanded(m, price) + m.fringe_elasticity * fringe_quantity(m, price);
  return best_response_given_phi(m, phi, player, price);
}

double excess_supply(const MarketConditions& m, const Player* players, std::size_t n_players, double price) {
  const double demand = quantity_demanded(m, price);
  const double fringe = fringe_quantity(m, price);
  const double phi = m.elasticity * demand + m.fringe_elasticity * fringe;
  double supply = fringe;
  for (std::size_t i = 0; i < n_players; ++i)
    if (players[i].capacity > 0.0) supply += best_response_given_phi(m, phi, players[i], price);
  return supply / demand - 1.0;
}

Clearing clear_market(const MarketConditions& m, const Player* players, std::size_t n, double* outputs,
                      double price_guess) {
  return clear_market_log(m, std::log(m.reference_price), players, n, outputs,
                          price_guess > 0.0 ? std::log(price_guess) : NAN);
}

Clearing clear_market_log(const MarketConditions& m, double log_reference_price, const Player* players,
                          std::size_t n, double* outputs, double log_price_guess) {
  Clearing result;
  const LogCurve curve(m, log_reference_price, players, n);
  const bool has_backstop = std::isfinite(m.backstop_price);
  const double y_cap = has_backstop ? std::log(m.backstop_price) : INFINITY;

  // Cap regime: at the backstop price the players and the fringe fall short
  // of demand, so the backstop sets the price and covers the rest.
  if (has_backstop) {
    const double cap = m.backstop_price;
    const LogPoint at_cap = curve.at(y_cap);
    result.evaluations = 1;
    if (at_cap.h < 0.0) {
      // Evaluated at P̄ itself (not e^{ln P̄}), as the slack rule is written.
      const LogPoint exact{cap, at_cap.demand, at_cap.fringe, at_cap.h, at_cap.slope};
      write_outputs(m, players, n, exact, outputs);
      double produced = 0.0;
      for (std::size_t i = 0; i < n; ++i) produced += outputs[i];
      const double remaining = at_cap.demand - at_cap.fringe - produced;
      // Slack capacity counts in full only for players well inside the money,
      // which keeps outputs continuous where a cost crosses the cap.
      auto slack_of = [&](std::size_t i) {
        if (players[i].capacity <= 0.0) return 0.0;
        const double eligibility =
            std::clamp((cap - players[i].marginal_cost) / (m.eligibility_band * cap), 0.0, 1.0);
        return eligibility * (players[i].capacity - outputs[i]);
      };
      double total_slack = 0.0;
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
      result.log_price = y_cap;
      result.demand = at_cap.demand;
      result.fringe = at_cap.fringe;
      result.backstop = std::max(0.0, at_cap.demand - at_cap.fringe - produced);
      result.capped = true;
      return result;
    }
  }

  // Interior regime: the unique root of the nondecreasing h on (0, P̄], by
  // Newton's method in y = ln P (a relative tolerance on P is an absolute one
  // on y) inside a bracket [lo, hi] that every evaluation narrows. A step that
  // leaves the bracket is replaced by bisection, so the kinks of h cannot
  // make it cycle. h(P̄) >= 0 here, so P̄ bounds the root from above.
  double lo = -INFINITY;
  double hi = y_cap;
  double y = std::isnan(log_price_guess) ? log_reference_price : log_price_guess;
  if (y > hi) y = hi;
  LogPoint point = curve.at(y);
  ++result.evaluations;
  for (int iteration = 0; iteration < MAX_ITERATIONS && point.h != 0.0; ++iteration) {
    if (point.h < 0.0)
      lo = y;
    else
      hi = y;
    double step;
    if (point.slope > 0.0) {
      step = -point.h / point.slope;
      // Near the root the Newton step is the distance to it (to first order).
      if (std::fabs(step) <= PRICE_RELATIVE_TOLERANCE) break;
      step = std::clamp(step, -MAX_LOG_STEP, MAX_LOG_STEP);
    } else {
      step = point.h < 0.0 ? MAX_LOG_STEP : -MAX_LOG_STEP; // flat: walk towards the root
    }
    double y_next = y + step;
    if (!(y_next > lo && y_next < hi)) y_next = 0.5 * (lo + hi); // both ends finite here
    if (hi - lo <= PRICE_RELATIVE_TOLERANCE) {
      y = y_next;
      point = curve.at(y);
      ++result.evaluations;
      break;
    }
    y = y_next;
    point = curve.at(y);
    ++result.evaluations;
  }
  write_outputs(m, players, n, point, outputs);
  result.price = point.price;
  result.log_price = y;
  result.demand = point.demand;
  result.fringe = point.fringe;
  result.backstop = 0.0;
  result.capped = false;
  return result;
}

} // namespace arcm::market
