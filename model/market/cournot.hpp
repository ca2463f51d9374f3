// Market clearing for one resource (docs/model.md §3.4): a Cournot equilibrium of
// capacity-limited players against isoelastic demand, with a competitive
// fringe and an optional backstop that caps the price.
//
// Pure functions of their arguments: no allocation, no state, so the
// right-hand side can call them at every evaluation and tests can call them
// with hand-made numbers.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

namespace arcm::market {

inline constexpr double NO_BACKSTOP = std::numeric_limits<double>::infinity();

//! Demand, fringe and backstop of one market at one instant.
struct MarketConditions {
  double demand_scale{0};             //!< D_0 e^{g (t - t0)}: demand at the reference price now [t/yr], > 0
  double reference_price{0};          //!< P_0 [M$/t], > 0
  double elasticity{0};               //!< ε magnitude of the demand elasticity [-], > 0
  double fringe_supply{0};            //!< F_0 fringe supply at P_0 [t/yr], >= 0 (0 = no fringe)
  double fringe_elasticity{0};        //!< η [-], >= 0
  double backstop_price{NO_BACKSTOP}; //!< P̄ [M$/t]; infinity = no backstop
  double eligibility_band{0.02};      //!< ν of the cap regime's slack rule [-], > 0
  double price_taking_band{1e-3};     //!< ν_pt: a price taker's supply band [-], > 0
};

//! One player: usable capacity K̃ and effective marginal cost ĉ. A Cournot
//! player best-responds to residual demand; a price taker supplies
//! K̃ · clamp((P − ĉ) / (ν_pt P), 0, 1), the supply of many small plants
//! whose costs spread over a band ν_pt above ĉ (docs/model.md §3.4).
struct Player {
  double capacity{0};      //!< K̃ [t/yr], >= 0 (players with 0 produce nothing)
  double marginal_cost{0}; //!< ĉ = (c + μ) / (1 − β) [M$/t]
  bool price_taker{false}; //!< conduct: false = Cournot
};

//! The cleared market.
struct Clearing {
  double price{0};     //!< P [M$/t]
  double demand{0};    //!< Q_d(P) [t/yr]
  double fringe{0};    //!< Q_f(P) [t/yr]
  double backstop{0};  //!< Q_bs [t/yr], > 0 only in the cap regime
  double log_price{0}; //!< ln P (at the root in the interior regime, ln P̄ in the cap regime)
  bool capped{false};  //!< true in the cap regime (P = P̄)
  int evaluations{0};  //!< evaluations of the clearing function h
};

double quantity_demanded(const MarketConditions& m, double price); //!< Q_d(P) [t/yr]
double fringe_quantity(const MarketConditions& m, double price);   //!< Q_f(P) [t/yr]

//! Best response q(P) = min(K̃, max(0, Φ(P) (1 − ĉ/P))) with Φ = ε Q_d + η Q_f [t/yr];
//! for a price taker its supply K̃ · clamp((1 − ĉ/P) / ν_pt, 0, 1).
double best_response(const MarketConditions& m, const Player& player, double price);

//! Excess-supply ratio h(P) = (Σ q(P) + Q_f(P)) / Q_d(P) − 1 [-]: nondecreasing in P.
double excess_supply(const MarketConditions& m, const Player* players, std::size_t n_players, double price);

//! Clear the market. Writes each player's output to `outputs[i]` [t/yr].
//! `price_guess` (> 0, or 0 for none) only speeds up the search; the result
//! does not depend on it beyond the solver tolerance (relative 1e-13 on P).
Clearing clear_market(const MarketConditions& m, const Player* players, std::size_t n_players,
                      double* outputs, double price_guess = 0.0);

//! The same clearing for callers that clear one market many times (the
//! right-hand side): `log_reference_price` = ln P_0, and the warm start given
//! as `log_price_guess` = ln P (NaN for none), which a previous clearing
//! returns in Clearing::log_price. Saves two logarithms per clearing.
Clearing clear_market_log(const MarketConditions& m, double log_reference_price, const Player* players,
                          std::size_t n_players, double* outputs, double log_price_guess);

//! Relative tolerance on the interior price.
inline constexpr double PRICE_RELATIVE_TOLERANCE = 1e-13;

} // namespace arcm::market
