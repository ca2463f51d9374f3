#include "legal/regime.hpp"

#include <algorithm>

namespace arcm::legal {

ActorTitle actor_title(const Regime& regime, const Jurisdiction& jurisdiction) {
  ActorTitle title;
  const bool universal = regime.scope == RegimeScope::universal;
  // An international regime with universal scope supersedes domestic laws;
  // otherwise a domestic resource law, where there is one, sets the title.
  title.property_security = (!universal && jurisdiction.has_domestic_law)
                                ? jurisdiction.domestic_property_security
                                : regime.property_security;
  title.effective_property_security =
      1.0 - (1.0 - title.property_security) * (1.0 - regime.safety_zone_exclusivity);
  title.royalty_rate = (universal || jurisdiction.party_to_regime) ? regime.benefit_sharing_rate : 0.0;
  return title;
}

double scarcity_rent(double stock_exponent, double extraction_cost_now, double total_usable_capacity,
                     double stock, double min_stock, double social_discount_rate) {
  return stock_exponent * extraction_cost_now * total_usable_capacity /
         (std::max(stock, min_stock) * social_discount_rate);
}

double tension_target(const Tension& tension, const Regime& regime, double bloc_revenue_spread) {
  const double unrecognised = 1.0 - regime.cross_bloc_recognition;
  const double target = tension.base + tension.inequality_weight * bloc_revenue_spread * unrecognised +
                        tension.claims_weight * regime.safety_zone_exclusivity * unrecognised;
  return std::clamp(target, 0.0, 1.0);
}

} // namespace arcm::legal
