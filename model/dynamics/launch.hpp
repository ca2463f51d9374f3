// Launch cost (docs/model.md §3.1): Wright's law with a floor, knowledge spillovers
// between actors, and the choice between flying oneself and buying a launch.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "core/params.hpp"

namespace arcm::launch {

//! Learning exponent b = −log2(p) of a progress ratio p in (0, 1] [-].
inline double learning_exponent(double progress_ratio) {
  return -std::log2(progress_ratio);
}

//! Own launch cost after learning, c_own = c_floor + (c_0 − c_floor) (X_eff / X_eff(t0))^(−b) [M$/t].
inline double own_cost(double initial_cost, double cost_floor, double exponent, double experience_ratio) {
  return cost_floor + (initial_cost - cost_floor) * std::pow(experience_ratio, -exponent);
}

//! Effective experience of every actor, X_eff,i = X_i + χ_in Σ_{same bloc, j≠i} X_j
//! + χ_out (1 − T) Σ_{other bloc} X_j [t]. Actors without a bloc neither give nor
//! receive spillovers. `experience` is X (clamped at 0); `bloc[i]` is −1 for none.
void effective_experience(const std::vector<Actor>& actors, const double* experience, double spillover_within,
                          double spillover_across, double tension, std::size_t n_blocs, double* bloc_totals,
                          double* effective);

//! May `buyer` buy launches from `provider` (docs/model.md §3.1)?
bool may_buy_from(const Actor& buyer, std::size_t buyer_index, const Actor& provider,
                  std::size_t provider_index, bool cross_bloc_launch);

//! A provider's offer and index, for the cheapest offers of a group.
struct Offer {
  double price; //!< [M$/t]
  int provider; //!< actor index; −1 for none
};

//! Who may sell launches to whom (may_buy_from), grouped so that every buyer's
//! cheapest provider follows from one pass over the providers: O(N) per
//! evaluation instead of O(N × providers). Without cross-bloc launch a group is
//! a bloc, with it there is one group of all providers.
class LaunchMarket {
public:
  LaunchMarket(const std::vector<Actor>& actors, std::size_t n_blocs, bool cross_bloc_launch);

  //! Scratch that choose() needs: two offers per group (and the empty group).
  std::size_t scratch_size() const { return 2 * n_groups_; }

  //! For each buyer i: the provider j it may buy from with the lowest offer
  //! (the lowest index among equal offers) if that offer is strictly below
  //! own_cost[i], else −1 (it flies itself); cost[i] is what it pays, offer[j]
  //! or own_cost[i]. The same choice as trying every eligible provider in
  //! index order with a strict <.
  void choose(const double* own_cost, const double* offer, Offer* scratch, int* provider, double* cost) const;

private:
  std::vector<int> providers_;      // launch providers in index order
  std::vector<int> provider_group_; // the group each of them sells to
  std::vector<int> buyer_group_;    // per actor, the group it buys from; the last group has no providers
  std::size_t n_groups_{0};         // blocs (or 1 with cross-bloc launch), and the empty group
};

} // namespace arcm::launch
