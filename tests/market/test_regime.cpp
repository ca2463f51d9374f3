// The per-actor legal regime (docs/model.md §3.3).
#include <catch2/catch.hpp>

#include "legal/regime.hpp"

using namespace arcm;
using Catch::Matchers::WithinRel;

TEST_CASE("A domestic law sets the title unless the regime is universal", "[legal]") {
  Regime regime;
  regime.property_security = 0.6;
  regime.safety_zone_exclusivity = 0.5;
  regime.benefit_sharing_rate = 0.03;
  Jurisdiction home;
  home.has_domestic_law = true;
  home.domestic_property_security = 0.9;
  home.party_to_regime = false;

  regime.scope = RegimeScope::parties;
  legal::ActorTitle t = legal::actor_title(regime, home);
  CHECK(t.property_security == 0.9);
  CHECK_THAT(t.effective_property_security, WithinRel(1 - 0.1 * 0.5, 1e-15));
  CHECK(t.royalty_rate == 0.0); // not a party

  home.party_to_regime = true;
  CHECK(legal::actor_title(regime, home).royalty_rate == 0.03);

  regime.scope = RegimeScope::universal;
  home.party_to_regime = false;
  t = legal::actor_title(regime, home);
  CHECK(t.property_security == 0.6); // the international regime supersedes the law
  CHECK(t.royalty_rate == 0.03);     // and binds non-parties
}

TEST_CASE("User cost: open access internalises the own share, exclusive title all of it", "[legal]") {
  const double rent = legal::scarcity_rent(0.5, 2.0, 100.0, 1000.0, 10.0, 0.05);
  CHECK_THAT(rent, WithinRel(0.5 * 2.0 * 100.0 / (1000.0 * 0.05), 1e-15));
  CHECK_THAT(legal::user_cost(0.0, 0.25, rent), WithinRel(0.25 * rent, 1e-15));
  CHECK_THAT(legal::user_cost(1.0, 0.25, rent), WithinRel(rent, 1e-15));
  // Below S_min the stock in the denominator is held at S_min.
  CHECK_THAT(legal::scarcity_rent(1.0, 1.0, 1.0, 1.0, 10.0, 0.1), WithinRel(1.0 / (10.0 * 0.1), 1e-15));
}

TEST_CASE("Tension target rises with bloc inequality and unrecognised exclusive claims", "[legal]") {
  Tension tension;
  tension.base = 0.2;
  tension.inequality_weight = 0.5;
  tension.claims_weight = 0.4;
  Regime regime;
  regime.cross_bloc_recognition = 0.25;
  regime.safety_zone_exclusivity = 0.5;
  CHECK_THAT(legal::tension_target(tension, regime, 0.6),
             WithinRel(0.2 + 0.5 * 0.6 * 0.75 + 0.4 * 0.5 * 0.75, 1e-15));
  regime.cross_bloc_recognition = 1.0;
  CHECK(legal::tension_target(tension, regime, 0.6) == 0.2);
  tension.inequality_weight = 10;
  regime.cross_bloc_recognition = 0.0;
  CHECK(legal::tension_target(tension, regime, 1.0) == 1.0); // clamped
}
