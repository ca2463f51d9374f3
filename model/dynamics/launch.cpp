#include "dynamics/launch.hpp"

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

} // namespace arcm::launch
