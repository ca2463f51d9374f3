#include "dynamics/launch.hpp"

#include <limits>

namespace arcm::launch {

void effective_experience(const std::vector<Actor>& actors, const double* experience, double spillover_within,
                          double spillover_across, double tension, std::size_t n_blocs, double* bloc_totals,
                          double* effective) {
  // Sums per bloc make this O(N + blocs) instead of O(N²).
  double all_blocs = 0.0;
  for (std::size_t b = 0; b < n_blocs; ++b) bloc_totals[b] = 0.0;
  for (std::size_t i = 0; i < actors.size(); ++i) {
    if (actors[i].bloc < 0) continue;
    bloc_totals[actors[i].bloc] += experience[i];
    all_blocs += experience[i];
  }
  const double across_weight = spillover_across * (1.0 - tension);
  for (std::size_t i = 0; i < actors.size(); ++i) {
    const int bloc = actors[i].bloc;
    if (bloc < 0) {
      effective[i] = experience[i];
      continue;
    }
    const double same_bloc_others = bloc_totals[bloc] - experience[i];
    const double other_blocs = all_blocs - bloc_totals[bloc];
    effective[i] = experience[i] + spillover_within * same_bloc_others + across_weight * other_blocs;
  }
}

bool may_buy_from(const Actor& buyer, std::size_t buyer_index, const Actor& provider,
                  std::size_t provider_index, bool cross_bloc_launch) {
  if (buyer_index == provider_index) return false;
  if (provider.kind != ActorKind::firm || !provider.launch_provider) return false;
  const bool same_bloc = buyer.bloc >= 0 && buyer.bloc == provider.bloc;
  return same_bloc || cross_bloc_launch;
}

LaunchMarket::LaunchMarket(const std::vector<Actor>& actors, std::size_t n_blocs, bool cross_bloc_launch)
    : n_groups_((cross_bloc_launch ? 1 : n_blocs) + 1) {
  // may_buy_from: firms that sell launches, to anyone across blocs, else to
  // their own bloc only (and then not at all without a bloc). Buyers who may
  // buy from no one get the last group, which stays empty.
  const int nobody = static_cast<int>(n_groups_) - 1;
  auto group_of = [&](const Actor& a) { return cross_bloc_launch ? 0 : a.bloc >= 0 ? a.bloc : nobody; };
  for (std::size_t j = 0; j < actors.size(); ++j) {
    buyer_group_.push_back(group_of(actors[j]));
    if (actors[j].kind == ActorKind::firm && actors[j].launch_provider && group_of(actors[j]) != nobody) {
      providers_.push_back(static_cast<int>(j));
      provider_group_.push_back(group_of(actors[j]));
    }
  }
}

void LaunchMarket::choose(const double* own_cost, const double* offer, Offer* scratch, int* provider,
                          double* cost) const {
  // The lowest and second-lowest offer of each group, ties to the lower
  // index: providers come in index order and only a strictly lower offer
  // displaces one (a NaN offer never does). A buyer that is itself its
  // group's cheapest provider takes the second. An empty place offers at
  // infinity, which no cost is strictly above.
  Offer* lowest = scratch;
  Offer* second = scratch + n_groups_;
  for (std::size_t g = 0; g < n_groups_; ++g)
    lowest[g] = second[g] = {std::numeric_limits<double>::infinity(), -1};
  for (std::size_t p = 0; p < providers_.size(); ++p) {
    const std::size_t g = static_cast<std::size_t>(provider_group_[p]);
    const Offer candidate{offer[providers_[p]], providers_[p]};
    if (candidate.price < lowest[g].price) {
      second[g] = lowest[g];
      lowest[g] = candidate;
    } else if (candidate.price < second[g].price) {
      second[g] = candidate;
    }
  }
  for (std::size_t i = 0; i < buyer_group_.size(); ++i) {
    const std::size_t g = static_cast<std::size_t>(buyer_group_[i]);
    const Offer& best = lowest[g].provider != static_cast<int>(i) ? lowest[g] : second[g];
    const bool buys = best.price < own_cost[i];
    provider[i] = buys ? best.provider : -1;
    cost[i] = buys ? best.price : own_cost[i];
  }
}

} // namespace arcm::launch
