// One fixture per validation rule (tests/data/bad_configs/). Each must be
// refused with a ConfigError that names the file, the exact line, the column
// (as file:LINE:COL) and the dotted key of the offending value.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "scenario/config_tree.hpp"
#include "scenario/loader.hpp"

using namespace arcm;

namespace {
const std::string DATA = ARCM_TEST_DATA_DIR;

//! Load `fixture` and check the error. `error_file` is where the error must be
//! reported (a parent for inherited values); `key` is the exact dotted key
//! ("" for errors that have none, such as YAML syntax errors); `words` is a
//! fragment of the explanation.
void require_refused(const std::string& fixture, const std::string& error_file, int line,
                     const std::string& key, const std::string& words) {
  const std::string path = DATA + "/bad_configs/" + fixture;
  try {
    load_scenario(path);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(e.line() == line);
    CHECK(e.column() > 0);
    CHECK(e.key() == key);
    CHECK(e.file().find(error_file) != std::string::npos);
    CHECK(message.find(error_file + ":" + std::to_string(line) + ":" + std::to_string(e.column()) + ": ") !=
          std::string::npos);
    if (!key.empty()) CHECK(message.find("'" + key + "'") != std::string::npos);
    CHECK(message.find(words) != std::string::npos);
    return;
  } catch (const std::exception& e) {
    FAIL("expected a ConfigError, got: " << e.what());
  }
  FAIL(fixture << " was accepted");
}

void require_refused(const std::string& fixture, int line, const std::string& key, const std::string& words) {
  require_refused(fixture, fixture, line, key, words);
}
} // namespace

// The test name is the fixture, so `ctest -R` finds a rule's test by file name.
#define BAD_CONFIG(fixture, ...)                                                                             \
  TEST_CASE("bad config " fixture, "[scenario][bad_config]") {                                               \
    require_refused(fixture, __VA_ARGS__);                                                                   \
  }

// Parsing and file structure
BAD_CONFIG("syntax_error.yaml", 3, "", "YAML syntax error")
BAD_CONFIG("missing_parent.yaml", 2, "extends", "cannot read scenario file")
BAD_CONFIG("extends_cycle_a.yaml", "extends_cycle_b.yaml", 2, "extends", "cycle")
BAD_CONFIG("extends_not_string.yaml", 2, "extends", "path of a parent")
BAD_CONFIG("document_not_map.yaml", 1, "", "must be a map of keys")
BAD_CONFIG("section_not_map.yaml", 3, "actors", "expected a map")
BAD_CONFIG("schedule_not_list.yaml", 3, "schedule", "expected a list of events")
BAD_CONFIG("duplicate_key.yaml", 6, "resources.pgm.demand", "duplicate key (first given on line 5)")
BAD_CONFIG("duplicate_top_level_key.yaml", 4, "name", "duplicate key")
BAD_CONFIG("unknown_top_level_key.yaml", 3, "actor", "did you mean 'actors'?")
BAD_CONFIG("unknown_nested_key.yaml", 5, "actors.usa.progres_ratio", "did you mean 'progress_ratio'?")
BAD_CONFIG("backstop_unknown_key.yaml", 5, "resources.water.backstop.mass",
           "allowed here: price, launch_mass")
BAD_CONFIG("bad_id.yaml", 4, "jurisdictions.*", "an id may use only")

// Inputs that would otherwise crash, hang or exhaust memory (docs/reliability.md)
BAD_CONFIG("recursive_alias.yaml", 3, "description[0]", "alias refers to a list or map that contains it")
BAD_CONFIG("alias_expansion.yaml", 4, "l4[7][8][8][8][8]", "more than 100000 values")
BAD_CONFIG("deep_nesting.yaml", 3, "description[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][...",
           "nested deeper than 64 levels")
BAD_CONFIG("deep_nesting_parser.yaml", 3, "", "nested deeper than 64 levels")
BAD_CONFIG("second_document.yaml", 5, "", "a second YAML document")
BAD_CONFIG("extends_device.yaml", 2, "extends", "not a regular file")
BAD_CONFIG("nul_in_string.yaml", 3, "description", "NUL character")
BAD_CONFIG("invalid_utf8.yaml", 3, "description", "not valid UTF-8")
BAD_CONFIG("hex_number.yaml", 4, "resources.water.demand", "expected a finite number, got '0x3E8'")

// Types
BAD_CONFIG("wrong_type_number.yaml", 5, "actors.usa.launch_cost", "expected a finite number, got 'cheap'")
BAD_CONFIG("quoted_number.yaml", 5, "resources.water.demand", "quoted string")
BAD_CONFIG("map_where_number.yaml", 5, "actors.usa.budget", "got a map")
BAD_CONFIG("not_finite_number.yaml", 5, "resources.pgm.demand", "finite number")
BAD_CONFIG("boolean_yes.yaml", 5, "jurisdictions.china.party_to_regime", "expected true or false")
BAD_CONFIG("max_steps_fraction.yaml", 4, "integrator.max_steps", "whole number")
BAD_CONFIG("bad_actor_kind.yaml", 5, "actors.spacex.kind", "state, firm")
BAD_CONFIG("bad_regime_scope.yaml", 4, "legal.regime_scope", "parties, universal")
BAD_CONFIG("bad_precision.yaml", 4, "output.precision", "float64, float32")
BAD_CONFIG("bad_variables.yaml", 4, "output.variables", "`all`, `none` or a list")
BAD_CONFIG("unknown_output_variable.yaml", 4, "output.variables[1]", "did you mean 'price'")
BAD_CONFIG("duplicate_output_variable.yaml", 6, "output.variables[1]", "listed twice")
BAD_CONFIG("unknown_bloc.yaml", 5, "actors.usa.bloc", "did you mean 'artemis'")
BAD_CONFIG("blocs_not_declared.yaml", "scenarios/base.yaml", 17, "actors.usa.bloc", "not declared")
BAD_CONFIG("unused_bloc.yaml", 3, "blocs[2]", "no actor")
BAD_CONFIG("duplicate_bloc.yaml", 6, "blocs[2]", "listed twice")

// Required keys (reported at the map that lacks them)
BAD_CONFIG("missing_required_actor_key.yaml", 4, "actors.esa.launch_cost", "required key is missing")
BAD_CONFIG("missing_required_resource_key.yaml", 4, "resources.metals.hardware_cost",
           "required key is missing")
BAD_CONFIG("event_missing_set.yaml", 4, "schedule[0].set", "required key is missing")
BAD_CONFIG("no_actors.yaml", 12, "actors", "at least one actor")
BAD_CONFIG("no_actors_with_blocs.yaml", 14, "actors", "at least one actor")
BAD_CONFIG("no_resources.yaml", 1, "resources", "at least one resource")

// docs/model.md §10 and the ranges of params.hpp
BAD_CONFIG("benefit_sharing_rate_one.yaml", 4, "legal.benefit_sharing_rate", "in [0, 1)")
BAD_CONFIG("property_security_range.yaml", 4, "legal.property_security", "between 0 and 1")
BAD_CONFIG("hardware_cost_zero.yaml", 5, "resources.water.hardware_cost", "must be > 0")
BAD_CONFIG("discount_plus_depreciation.yaml", 5, "actors.spacex.discount_rate",
           "discount_rate + depreciation")
BAD_CONFIG("build_lag_zero.yaml", 5, "resources.water.build_time", "licensing_delay of jurisdiction 'china'")
BAD_CONFIG("build_lag_zero_after_event.yaml", 10, "schedule[0].set.licensing_delay", "after this event")
BAD_CONFIG("demand_zero.yaml", 5, "resources.pgm.demand", "must be > 0")
BAD_CONFIG("reference_price_negative.yaml", 5, "resources.pgm.reference_price", "must be > 0")
BAD_CONFIG("elasticity_negative.yaml", 5, "resources.water.elasticity", "must be > 0")
BAD_CONFIG("min_stock_zero.yaml", 5, "resources.pgm.min_stock", "must be > 0")
BAD_CONFIG("social_discount_rate_zero.yaml", 4, "economy.social_discount_rate", "must be > 0")
BAD_CONFIG("debris_reference_zero.yaml", 4, "debris.reference", "must be > 0")
BAD_CONFIG("debris_saturation_negative.yaml", 4, "debris.saturation", "must be > 0")
BAD_CONFIG("tension_adjustment_time_zero.yaml", 4, "tension.adjustment_time", "must be > 0")
BAD_CONFIG("revenue_share_floor_zero.yaml", 4, "economy.revenue_share_floor", "must be > 0")
BAD_CONFIG("eligibility_band_zero.yaml", 4, "economy.eligibility_band", "must be > 0")
BAD_CONFIG("investment_saturation_zero.yaml", 4, "economy.investment_saturation", "must be > 0")
BAD_CONFIG("kessler_below_initial.yaml", 3, "debris.kessler_threshold", "greater than debris.initial")
BAD_CONFIG("weights_sum_zero.yaml", 3, "beneficiaries", "sum to more than 0")
BAD_CONFIG("negative_weight.yaml", 4, "beneficiaries.china.weight", "must be >= 0")
BAD_CONFIG("stock_capacity_missing.yaml", 5, "resources.water.regeneration_rate", "needs stock_capacity")
BAD_CONFIG("stock_capacity_negative.yaml", 6, "resources.water.stock_capacity", "must be > 0")
BAD_CONFIG("progress_ratio_above_one.yaml", 5, "actors.china.progress_ratio", "in (0, 1]")
BAD_CONFIG("progress_ratio_zero.yaml", 5, "actors.china.progress_ratio", "in (0, 1]")
BAD_CONFIG("floor_above_cost.yaml", 5, "actors.china.launch_cost_floor", "must not exceed launch_cost")
BAD_CONFIG("no_fringe_no_backstop.yaml", 4, "resources.pgm", "needs a fringe")
BAD_CONFIG("backstop_zero_price.yaml", 5, "resources.water.backstop", "its price would be 0")
BAD_CONFIG("state_launch_provider.yaml", 5, "actors.usa.launch_provider", "only firms sell launches")
BAD_CONFIG("launch_experience_zero.yaml", 5, "actors.spacex.launch_experience", "must be > 0")
BAD_CONFIG("cost_efficiency_zero.yaml", 5, "actors.spacex.cost_efficiency", "must be > 0")
BAD_CONFIG("budget_share_range.yaml", 5, "actors.usa.resource_budget_share", "between 0 and 1")
BAD_CONFIG("negative_initial_capacity.yaml", 5, "actors.china.initial_capacity.pgm", "must be >= 0")
BAD_CONFIG("domestic_security_range.yaml", 5, "jurisdictions.usa.domestic_property_security",
           "between 0 and 1")
BAD_CONFIG("licensing_delay_negative.yaml", 5, "jurisdictions.china.licensing_delay", "must be >= 0")
BAD_CONFIG("tension_initial_range.yaml", 4, "tension.initial", "between 0 and 1")
BAD_CONFIG("end_before_start.yaml", 5, "time.end", "later than time.start")
BAD_CONFIG("output_step_not_dividing.yaml", 3, "output.step", "whole number of steps")
BAD_CONFIG("stepper_unknown.yaml", 4, "integrator.stepper", "expected one of dopri5, bulirsch_stoer")
BAD_CONFIG("relative_tolerance_zero.yaml", 4, "integrator.relative_tolerance", "must be > 0")

// References
BAD_CONFIG("unknown_resource_reference.yaml", 5, "actors.usa.initial_capacity.ice", "unknown resource 'ice'")
BAD_CONFIG("unknown_jurisdiction_reference.yaml", 5, "actors.china.jurisdiction",
           "unknown jurisdiction 'prc'")
BAD_CONFIG("unknown_event_jurisdiction.yaml", 5, "schedule[0].jurisdiction", "unknown jurisdiction 'japan'")

// Schedule
BAD_CONFIG("event_before_start.yaml", 4, "schedule[0].year", "must lie in [time.start, time.end)")
BAD_CONFIG("event_at_end.yaml", 4, "schedule[0].year", "must lie in [time.start, time.end)")
BAD_CONFIG("events_out_of_order.yaml", 6, "schedule[1].year", "nondecreasing")
BAD_CONFIG("regime_event_jurisdiction_key.yaml", 6, "schedule[0].set.licensing_delay",
           "needs `jurisdiction: ID`")
BAD_CONFIG("jurisdiction_event_regime_key.yaml", 7, "schedule[0].set.benefit_sharing_rate",
           "event without `jurisdiction:`")
BAD_CONFIG("event_value_out_of_range.yaml", 8, "schedule[1].set.property_security", "between 0 and 1")
BAD_CONFIG("empty_event_set.yaml", 5, "schedule[0].set", "at least one key")

// Errors in inherited values name the file they came from.
BAD_CONFIG("inherited_bad_parent.yaml", "hardware_cost_zero.yaml", 5, "resources.water.hardware_cost",
           "must be > 0")
BAD_CONFIG("inherited_value_error.yaml", "scenarios/low_discount_parent.yaml", 6,
           "actors.spacex.discount_rate", "-0.04 + 0.03")

TEST_CASE("a scenario file that does not exist is refused by name", "[scenario][bad_config]") {
  const std::string path = DATA + "/bad_configs/there_is_no_such_file.yaml";
  try {
    load_scenario(path);
    FAIL("a missing file was accepted");
  } catch (const ConfigError& e) {
    CHECK(e.file() == path);
    CHECK(e.line() == 0);
    CHECK(std::string(e.what()).find("cannot read scenario file") != std::string::npos);
  }
}

TEST_CASE("A FIFO, an oversized file, a directory and too many values are refused by name",
          "[scenario][bad_config]") {
  const auto dir = std::filesystem::temp_directory_path() / ("arcm_bad_inputs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto refused = [](const std::string& path, const std::string& words) {
    try {
      load_scenario(path);
      FAIL(path << " was accepted");
    } catch (const ConfigError& e) {
      INFO(e.what());
      CHECK(e.file() == path);
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  };
  // A FIFO would block the open forever (the test would hang, not fail).
  const std::string fifo = (dir / "fifo.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  refused(fifo, "not a regular file");
  // One byte past the limit.
  const std::string big = (dir / "big.yaml").string();
  std::ofstream(big) << "# " << std::string(MAX_CONFIG_BYTES, 'x') << "\n";
  refused(big, "larger than 16 MiB");
  refused(dir.string(), "it is a directory");
  // A long flat list (no alias): counted before the YAML tree is built, whose
  // nodes would take about 0.5 KB each.
  const std::string values = (dir / "values.yaml").string();
  {
    std::ofstream out(values);
    out << "description: [0";
    for (int i = 0; i < 100000; ++i) out << ",0";
    out << "]\n";
  }
  refused(values, "more than 100000 values");
  // A chain of 70 files, each extending the next.
  for (int i = 0; i < 70; ++i)
    std::ofstream((dir / ("chain" + std::to_string(i) + ".yaml")).string())
        << "extends: chain" << i + 1 << ".yaml\n";
  std::ofstream((dir / "chain70.yaml").string()) << "extends: " << DATA << "/scenarios/base.yaml\n";
  try {
    load_scenario((dir / "chain0.yaml").string());
    FAIL("a chain of 71 files was accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("more than 64 files in one `extends` chain") != std::string::npos);
    CHECK(e.key() == "extends");
  }
  // As text (a sweep's stored scenario, `arcm run --from`): the same limit.
  CHECK_THROWS_AS(load_scenario_from_string(std::string(MAX_CONFIG_BYTES + 1, ' '), "text.yaml"),
                  ConfigError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Numbers are decimal: hexadecimal, infinities and NaN are refused", "[scenario][bad_config]") {
  for (const char* text : {"0x10", "0X1A", "inf", "-inf", "nan", ".inf", "1e", "1.2.3", "+", ".", "1_000"}) {
    INFO(text);
    CHECK_THROWS_WITH(load_scenario_from_string(
                          std::string("extends: base.yaml\nresources: {water: {demand: ") + text + "}}\n",
                          DATA + "/scenarios/child.yaml"),
                      Catch::Matchers::Contains("expected a finite number"));
  }
  for (const char* text : {"1000", "1.0e3", "1e3", "+1000", ".5e4", "5.", "1000.0"}) {
    INFO(text);
    CHECK_NOTHROW(load_scenario_from_string(std::string("extends: base.yaml\nresources: {water: {demand: ") +
                                                text + "}}\n",
                                            DATA + "/scenarios/child.yaml"));
  }
}

TEST_CASE("bad config extends_cycle_b.yaml", "[scenario][bad_config]") {
  // The cycle seen from its other end: b -> a -> b is refused at a's `extends`.
  require_refused("extends_cycle_b.yaml", "extends_cycle_a.yaml", 2, "extends", "cycle");
}
