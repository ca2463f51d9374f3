// The legal regime as each actor experiences it (docs/model.md §3.3): which title
// applies, how secure it is with safety zones, whether the actor pays the
// benefit-sharing royalty, and how much of the common-pool scarcity cost it
// internalises. Small pure functions, testable alone.
#pragma once

#include "core/params.hpp"

namespace arcm::legal {

//! The regime as it applies to one actor.
struct ActorTitle {
  double property_security{0};           //!< θ_i [-]
  double effective_property_security{0}; //!< θ_eff,i = 1 − (1 − θ_i)(1 − z) [-]
  double royalty_rate{0};                //!< β_i [-]
};

//! θ_i, θ_eff,i and β_i for an actor in `jurisdiction` under `regime`.
ActorTitle actor_title(const Regime& regime, const Jurisdiction& jurisdiction);

//! Scarcity rent of a common-pool stock, λ_k = γ c_ext(S) ΣK̃ / (max(S, S_min) r_soc) [M$/t].
double scarcity_rent(double stock_exponent, double extraction_cost_now, double total_usable_capacity,
                     double stock, double min_stock, double social_discount_rate);

//! User cost an actor internalises, μ = [θ_eff + (1 − θ_eff) s] λ [M$/t]:
//! all of the rent with secure exclusive title, only its own share s under open access.
inline double user_cost(double effective_property_security, double capacity_share,
                        double scarcity_rent_value) {
  return (effective_property_security + (1.0 - effective_property_security) * capacity_share) *
         scarcity_rent_value;
}

//! Target tension T* = clamp(T_base + a_Δ Δ (1 − ρ_x) + a_z z (1 − ρ_x), 0, 1) [-].
double tension_target(const Tension& tension, const Regime& regime, double bloc_revenue_spread);

} // namespace arcm::legal
