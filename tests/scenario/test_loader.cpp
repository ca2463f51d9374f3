// Loading valid scenario files: values, defaults, derived indices, `extends`.
#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/schedule.hpp"
#include "scenario/loader.hpp"
#include "scenario/parameter_table.hpp"

using namespace arcm;

namespace {
// The key a schedule change was resolved from.
std::string regime_key(const ParameterChange& change) {
  return parameters::regime_row(change).key();
}
std::string jurisdiction_key(const ParameterChange& change) {
  return parameters::jurisdiction_row(change).key();
}
const std::string DATA = ARCM_TEST_DATA_DIR;

template <class Item> const Item& by_id(const std::vector<Item>& items, const std::string& id) {
  for (const Item& item : items)
    if (item.id == id) return item;
  FAIL("no item with id " << id);
  throw; // unreachable: FAIL throws
}

template <class Item> int index_by_id(const std::vector<Item>& items, const std::string& id) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].id == id) return static_cast<int>(i);
  return -1;
}
} // namespace

TEST_CASE("the shared base fixture is valid", "[scenario]") {
  const Scenario s = load_scenario(DATA + "/scenarios/base.yaml");
  CHECK(s.name == "base");
  CHECK(s.n_actors() == 3);
  CHECK(s.n_resources() == 2);
  // Defaults from params.hpp where the file is silent.
  CHECK(s.regime.property_security == 0.6);
  CHECK(s.economy.investment_saturation == 5);
  CHECK(s.actors[0].progress_ratio == 0.85);
  CHECK(s.resources[0].depreciation == 0.05);
  CHECK(s.integrator.stepper == Stepper::dopri5);
  CHECK(s.output.all_variables);
  CHECK_FALSE(s.output.single_precision);
  // Debris defaults scale with the default initial debris, 36,500 objects.
  CHECK(s.debris.initial == 36500);
  CHECK(s.debris.reference == 36500);
  CHECK(s.debris.saturation == 365000);
  CHECK(s.debris.kessler_threshold == 3650000);
}

TEST_CASE("the rich fixture loads with the values it gives", "[scenario]") {
  const std::string path = DATA + "/scenarios/rich.yaml";
  const Scenario s = load_scenario(path);
  CHECK(s.source_file == path);
  CHECK(s.name == "rich");
  CHECK(s.description == "Parent of the rich fixture: \"quoted\" text");
  CHECK(s.start_year == 2025);
  CHECK(s.end_year == 2065);

  SECTION("numerics and output") {
    CHECK(s.integrator.relative_tolerance == 1e-8);
    CHECK(s.integrator.absolute_tolerance == 1e-7);
    CHECK(s.integrator.initial_step == 0.05);
    CHECK(s.integrator.max_steps == 50000);
    CHECK(s.output.step == 0.5);
    CHECK_FALSE(s.output.all_variables);
    CHECK(s.output.variables == std::vector<std::string>{"price", "debris", "tension"});
    CHECK(s.output.single_precision);
  }

  SECTION("global sections, with the child's override and inherited siblings") {
    CHECK(s.economy.eligibility_band == 0.025);    // child
    CHECK(s.economy.social_discount_rate == 0.04); // parent
    CHECK(s.economy.debris_capacity_loss == 0.01);
    CHECK(s.tension.initial == 0.3);
    CHECK(s.tension.adjustment_time == 4);
    CHECK(s.regime.safety_zone_exclusivity == 0.5);
    CHECK(s.regime.benefit_sharing_rate == 0.01);
    CHECK(s.regime.scope == RegimeScope::parties);
    CHECK_FALSE(s.regime.cross_bloc_launch);
    CHECK(s.regime.asat_tests_per_tension == 0.5);
  }

  SECTION("debris defaults fill only what is not given") {
    CHECK(s.debris.reference == 36500);
    CHECK(s.debris.saturation == 365000);
    CHECK(s.debris.kessler_threshold == 5.0e6); // given by the child
    CHECK(s.debris.per_asat_test == 3000);
  }

  SECTION("jurisdictions, including a law that is absent") {
    REQUIRE(s.jurisdictions.size() == 4);
    const Jurisdiction& usa = s.jurisdictions[0];
    CHECK(usa.id == "usa");
    CHECK(usa.has_domestic_law);
    CHECK(usa.domestic_property_security == 0.9);
    CHECK(usa.licensing_fee_share == 0.02);
    CHECK(usa.licensing_delay == 1.5);
    CHECK_FALSE(usa.party_to_regime);
    const Jurisdiction& china = by_id(s.jurisdictions, "china");
    CHECK_FALSE(china.has_domestic_law);
    CHECK(china.party_to_regime);
    CHECK(by_id(s.jurisdictions, "india").licensing_delay == 0);
  }

  SECTION("actors: order, override, appended actor, indices and blocs") {
    REQUIRE(s.n_actors() == 5);
    CHECK(s.actors[0].id == "usa");
    CHECK(s.actors[3].id == "ispace");
    CHECK(s.actors[4].id == "isro"); // appended by the child, after the parent's actors
    const Actor& usa = s.actors[0];
    CHECK(usa.kind == ActorKind::state);
    CHECK(usa.budget == 80000);       // child override
    CHECK(usa.budget_growth == 0.01); // inherited
    CHECK(usa.progress_ratio == 0.8);
    CHECK(usa.cost_efficiency == 1.3);
    CHECK(usa.base_launch_mass == 300);
    // initial_capacity is a map, so the child's pgm entry merges with the parent's water.
    REQUIRE(usa.initial_capacity.size() == 3);
    CHECK(usa.initial_capacity[0] == 10);
    CHECK(usa.initial_capacity[1] == 1);
    CHECK(usa.initial_capacity[2] == 0);
    CHECK(usa.initial_pipeline == std::vector<double>{0, 0, 0});
    CHECK(s.actors[1].initial_pipeline == std::vector<double>{0, 2.5, 0});

    const Actor& spacex = by_id(s.actors, "spacex");
    CHECK(spacex.kind == ActorKind::firm);
    CHECK(spacex.launch_provider);
    CHECK(spacex.launch_markup == 0.18);
    CHECK(spacex.profit_reinvestment == 0.5);

    CHECK(s.blocs == std::vector<std::string>{"artemis", "ilrs"});
    CHECK(usa.bloc == 0);
    CHECK(s.actors[1].bloc == 1);
    CHECK(spacex.bloc == 0);
    CHECK(by_id(s.actors, "ispace").bloc == -1); // bloc: ""
    CHECK(by_id(s.actors, "isro").bloc == 0);

    CHECK(usa.jurisdiction == 0);
    CHECK(spacex.jurisdiction == 0);
    CHECK(by_id(s.actors, "ispace").jurisdiction == index_by_id(s.jurisdictions, "luxembourg"));
    CHECK(by_id(s.actors, "isro").jurisdiction == index_by_id(s.jurisdictions, "india"));
  }

  SECTION("resources, backstops and optional capacity") {
    REQUIRE(s.n_resources() == 3);
    const Resource& water = s.resources[0];
    CHECK(water.description == "cislunar water");
    CHECK(water.has_backstop);
    CHECK(water.backstop_price == 0.2);
    CHECK(water.backstop_launch_mass == 1);
    CHECK(water.stock == 1e9);
    CHECK(water.depreciation == 0.06);
    CHECK(std::isnan(water.stock_capacity));
    const Resource& pgm = s.resources[1];
    CHECK_FALSE(pgm.has_backstop);
    CHECK(pgm.fringe_supply == 190);
    CHECK(pgm.elasticity == 0.5);
    CHECK(s.resources[2].stock_capacity == 2e7);
    CHECK(s.resources[2].regeneration_rate == 0.01);
  }

  SECTION("beneficiaries: normalised weights and links to state actors") {
    REQUIRE(s.n_beneficiaries() == 5);
    CHECK(s.beneficiaries[4].id == "isro");
    const double total = 4 + 14 + 0 + 62 + 20;
    CHECK(s.beneficiaries[0].weight == Approx(4 / total).epsilon(1e-15));
    CHECK(s.beneficiaries[3].weight == Approx(62 / total).epsilon(1e-15));
    double sum = 0;
    for (const Beneficiary& b : s.beneficiaries) sum += b.weight;
    CHECK(sum == Approx(1).epsilon(1e-15));
    CHECK(s.beneficiaries[0].actor == 0);  // usa
    CHECK(s.beneficiaries[1].actor == 1);  // china
    CHECK(s.beneficiaries[2].actor == -1); // spacex is a firm: its profits belong to no beneficiary
    CHECK(s.beneficiaries[3].actor == -1); // rest_of_world
    CHECK(s.beneficiaries[4].actor == 4);  // isro
  }

  SECTION("schedule: parent events, then the child's appended ones") {
    REQUIRE(s.schedule.size() == 4);
    const ScheduleEvent& first = s.schedule[0];
    CHECK(first.year == 2030);
    CHECK(first.target == ScheduleEvent::Target::regime);
    REQUIRE(first.changes.size() == 2);
    CHECK(regime_key(first.changes[0]) == "benefit_sharing_rate");
    CHECK(first.changes[0].value == 0.03);
    CHECK(regime_key(first.changes[1]) == "regime_scope");
    CHECK(first.changes[1].value == 1); // universal

    const ScheduleEvent& repeal = s.schedule[1];
    CHECK(repeal.target == ScheduleEvent::Target::one_jurisdiction);
    CHECK(repeal.jurisdiction == 0);
    CHECK(jurisdiction_key(repeal.changes[0]) == "domestic_property_security");
    CHECK(std::isnan(repeal.changes[0].value)); // null repeals the law
    CHECK(repeal.changes[1].value == 1);        // party_to_regime: true

    CHECK(s.schedule[2].target == ScheduleEvent::Target::all_jurisdictions);
    CHECK(jurisdiction_key(s.schedule[2].changes[0]) == "licensing_delay");
    CHECK(s.schedule[3].year == 2040);
    CHECK(regime_key(s.schedule[3].changes[1]) == "cross_bloc_launch");
    CHECK(s.schedule[3].changes[1].value == 1);
  }

  SECTION("the core can build regime segments from it") {
    const std::vector<Segment> segments = build_segments(s);
    REQUIRE(segments.size() == 4);
    CHECK(segments.back().in_force.regime.benefit_sharing_rate == 0.07);
    CHECK_FALSE(segments.back().in_force.jurisdictions[0].has_domestic_law);
    CHECK(segments.back().in_force.jurisdictions[2].licensing_delay == 3);
  }
}

TEST_CASE("a child's schedule without !append replaces the parent's", "[scenario]") {
  const Scenario s = load_scenario(DATA + "/scenarios/replace_schedule.yaml");
  REQUIRE(s.schedule.size() == 1);
  CHECK(s.schedule[0].year == 2050);
  CHECK(s.name == "replaced");
  CHECK(s.n_actors() == 5); // everything else still comes through the chain
}

TEST_CASE("extends chains resolve through every level", "[scenario]") {
  const Scenario s = load_scenario(DATA + "/scenarios/chain_grandchild.yaml");
  CHECK(s.tension.initial == 0.5);            // grandchild
  CHECK(s.name == "replaced");                // child
  CHECK(s.actors[0].budget == 80000);         // rich.yaml
  CHECK(s.economy.revenue_share_floor == 12); // rich_parent.yaml
  CHECK(s.schedule.size() == 1);
}

TEST_CASE("load_scenario_from_string resolves extends next to the pseudo file", "[scenario]") {
  const std::string text = "extends: base.yaml\nname: inline\ntension: {initial: 0.4}\n";
  const Scenario s = load_scenario_from_string(text, DATA + "/scenarios/inline.yaml");
  CHECK(s.name == "inline");
  CHECK(s.tension.initial == 0.4);
  CHECK(s.n_actors() == 3);
  CHECK(s.source_file == DATA + "/scenarios/inline.yaml");
}

TEST_CASE("an empty section in a child keeps the parent's section", "[scenario]") {
  const std::string text = "extends: base.yaml\nresources:\n# nothing here yet\n";
  const Scenario s = load_scenario_from_string(text, DATA + "/scenarios/child.yaml");
  CHECK(s.n_resources() == 2);
}

TEST_CASE("validate() of a scenario built in code names the key", "[scenario]") {
  Scenario s = load_scenario(DATA + "/scenarios/base.yaml");
  CHECK_NOTHROW(validate(s));
  s.actors[1].progress_ratio = 1.5;
  try {
    validate(s);
    FAIL("validate accepted progress_ratio 1.5");
  } catch (const ConfigError& e) {
    CHECK(e.key() == "actors.china.progress_ratio");
    CHECK(e.line() == 0);
  }
}
