#include "scenario/parameter_table.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <type_traits>

#include "core/errors.hpp"
#include "scenario/node_values.hpp"

namespace arcm::parameters {

// ---- Range --------------------------------------------------------------------

namespace {
std::string bound_text(double value) {
  std::ostringstream text;
  text.precision(12);
  text << value;
  return text.str();
}
} // namespace

bool Range::bounded() const {
  return std::isfinite(low) || std::isfinite(high);
}

bool Range::contains(double value) const {
  const bool above = low_open ? value > low : value >= low;
  const bool below = high_open ? value < high : value <= high;
  return above && below; // false for NaN
}

std::string Range::requirement() const {
  const bool has_low = std::isfinite(low), has_high = std::isfinite(high);
  if (has_low && has_high) {
    if (!low_open && !high_open) return "between " + bound_text(low) + " and " + bound_text(high);
    return std::string("in ") + (low_open ? "(" : "[") + bound_text(low) + ", " + bound_text(high) +
           (high_open ? ")" : "]");
  }
  if (has_low) return (low_open ? "> " : ">= ") + bound_text(low);
  if (has_high) return (high_open ? "< " : "<= ") + bound_text(high);
  return "";
}

std::string value_problem(const Description& about, double value) {
  const bool optional = about.type == Type::optional_number;
  if (optional && std::isnan(value)) return "";
  if (!about.range.bounded() || about.range.contains(value)) return "";
  return "must be " + about.range.requirement() + (optional ? " (or null)" : "") + ", got " +
         bound_text(value);
}

std::size_t choice_index(double value) {
  return value != 0.0 ? 1 : 0;
}

// ---- Building rows -------------------------------------------------------------

namespace {

template <class T> struct member_of;
template <class S, class V> struct member_of<V S::*> {
  using owner = S;
  using value = V;
};
template <auto Member> using owner_t = typename member_of<decltype(Member)>::owner;
template <auto Member> using value_t = typename member_of<decltype(Member)>::value;

// A member as the double a sweep or a schedule change carries: booleans 0/1,
// enumerations (the choices) their index.
template <auto Member> double get_member(const owner_t<Member>& s) {
  using V = value_t<Member>;
  if constexpr (std::is_enum_v<V>)
    return static_cast<double>(static_cast<int>(s.*Member));
  else
    return static_cast<double>(s.*Member);
}
template <auto Member> void set_member(owner_t<Member>& s, double v) {
  using V = value_t<Member>;
  if constexpr (std::is_same_v<V, bool>)
    s.*Member = v != 0.0;
  else if constexpr (std::is_enum_v<V>)
    s.*Member = static_cast<V>(choice_index(v));
  else if constexpr (std::is_same_v<V, long>)
    s.*Member = static_cast<long>(v);
  else
    s.*Member = v;
}

template <auto Member> Parameter<owner_t<Member>> row(Description about) {
  Parameter<owner_t<Member>> p;
  p.about = std::move(about);
  p.get = &get_member<Member>;
  p.set = &set_member<Member>;
  return p;
}

// A number with its unit, symbol, range and meaning.
template <auto Member>
Parameter<owner_t<Member>> number(const char* key, const char* unit, const char* symbol, Range range,
                                  const char* meaning, unsigned use = fixed) {
  Description about;
  about.key = key;
  about.type = Type::number;
  about.unit = unit;
  about.symbol = symbol;
  about.range = range;
  about.meaning = meaning;
  about.use = use;
  return row<Member>(about);
}

template <auto Member>
Parameter<owner_t<Member>> required_number(const char* key, const char* unit, const char* symbol, Range range,
                                           const char* meaning, unsigned use = fixed) {
  Parameter<owner_t<Member>> p = number<Member>(key, unit, symbol, range, meaning, use);
  p.about.required = true;
  return p;
}

// A count: a number that must be whole (iterations, steps).
template <auto Member>
Parameter<owner_t<Member>> whole_number(const char* key, const char* unit, const char* symbol, Range range,
                                        const char* meaning, unsigned use = fixed) {
  Parameter<owner_t<Member>> p = number<Member>(key, unit, symbol, range, meaning, use);
  p.about.type = Type::whole_number;
  return p;
}

// A number that may be null (NaN): not set, or a default derived later.
template <auto Member>
Parameter<owner_t<Member>> optional_number(const char* key, const char* unit, const char* symbol, Range range,
                                           const char* default_text, const char* meaning,
                                           unsigned use = fixed) {
  Parameter<owner_t<Member>> p = number<Member>(key, unit, symbol, range, meaning, use);
  p.about.type = Type::optional_number;
  p.about.default_text = default_text;
  return p;
}

template <auto Member>
Parameter<owner_t<Member>> boolean(const char* key, const char* meaning, unsigned use = fixed) {
  Description about;
  about.key = key;
  about.type = Type::boolean;
  about.unit = "1";
  about.meaning = meaning;
  about.use = use;
  return row<Member>(about);
}

template <auto Member>
Parameter<owner_t<Member>> choice(const char* key, std::vector<const char*> words, const char* meaning,
                                  unsigned use = fixed) {
  Description about;
  about.key = key;
  about.type = Type::choice;
  about.unit = "1";
  about.meaning = meaning;
  about.use = use;
  about.choices = std::move(words);
  return row<Member>(about);
}

template <auto Member> Parameter<owner_t<Member>> text(const char* key, const char* meaning) {
  Parameter<owner_t<Member>> p;
  p.about.key = key;
  p.about.type = Type::text;
  p.about.meaning = meaning;
  p.text = Member;
  return p;
}

template <auto Member>
Parameter<owner_t<Member>> per_resource(const char* key, const char* unit, const char* symbol, Range range,
                                        const char* meaning, unsigned use = fixed) {
  Parameter<owner_t<Member>> p;
  p.about.key = key;
  p.about.type = Type::per_resource;
  p.about.unit = unit;
  p.about.symbol = symbol;
  p.about.range = range;
  p.about.meaning = meaning;
  p.about.use = use;
  p.about.default_text = "0 per resource";
  p.list = Member;
  return p;
}

// A key read and written by hand (a section, a reference, a list); the table
// still names it, so the loader accepts it and the docs list it.
template <class Struct>
Parameter<Struct> structured(const char* key, const char* type_text, const char* default_text,
                             const char* meaning, bool required = false) {
  Parameter<Struct> p;
  p.about.key = key;
  p.about.type = Type::structured;
  p.about.type_text = type_text;
  p.about.default_text = default_text;
  p.about.meaning = meaning;
  p.about.required = required;
  return p;
}

template <class P> P with_rule(P p, const char* rule) {
  p.about.rule = rule;
  return p;
}
template <class P> P with_default(P p, const char* default_text) {
  p.about.default_text = default_text;
  return p;
}
template <class P> P quoted(P p) {
  p.about.quoted = true;
  return p;
}

// A jurisdiction's domestic resource law: θ_dom, or null for none. Set, it
// enacts the law; NaN repeals it.
double get_domestic_security(const Jurisdiction& j) {
  return j.has_domestic_law ? j.domestic_property_security : NOT_SET;
}
void set_domestic_security(Jurisdiction& j, double v) {
  j.has_domestic_law = !std::isnan(v);
  j.domestic_property_security = std::isnan(v) ? 0.0 : v;
}

// `compression: deflate` (index 0, the default) stores compress = true.
double get_compression(const OutputSettings& o) {
  return o.compress ? 0.0 : 1.0;
}
void set_compression(OutputSettings& o, double v) {
  o.compress = v == 0.0;
}

using namespace ranges;
constexpr unsigned SWEEP = sweep;
constexpr unsigned SWEEP_SCHEDULE = sweep | schedule;

Table build_table() {
  Table t;

  t.top = {"", "Top level", {}};
  auto& top = t.top.rows;
  top.push_back(structured<Scenario>("extends", "path", "none", "parent scenario (see above)"));
  top.push_back(text<&Scenario::name>("name", "short identifier"));
  top.push_back(text<&Scenario::description>("description", "free text"));
  top.push_back(structured<Scenario>("time", "map", "", "simulated period"));
  top.push_back(structured<Scenario>("integrator", "map", "", "ODE solver settings"));
  top.push_back(structured<Scenario>("output", "map", "", "output grid and contents"));
  top.push_back(structured<Scenario>("economy", "map", "", "global economic shape parameters"));
  top.push_back(structured<Scenario>("debris", "map", "", "orbital debris"));
  top.push_back(structured<Scenario>("tension", "map", "", "diplomatic tension"));
  top.push_back(structured<Scenario>("legal", "map", "", "legal regime in force at t0"));
  top.push_back(structured<Scenario>("jurisdictions", "map id → map", "none", "legal homes of actors"));
  top.push_back(structured<Scenario>(
      "blocs", "list of names", "`[]`",
      "every bloc an actor may join, in output order; **required** as soon as an actor names a bloc. An "
      "actor's `bloc` must be one of them (a misspelling is refused with the nearest name), no name may "
      "repeat, and every declared bloc must have at least one actor (tension compares every bloc's share, "
      "so an empty bloc would change it). A child file that gives `blocs` replaces the parent's list."));
  top.push_back(structured<Scenario>("actors", "map id → map", "**required, ≥ 1**", "states and firms"));
  top.push_back(structured<Scenario>("resources", "map id → map", "**required, ≥ 1**", "resource markets"));
  top.push_back(structured<Scenario>("beneficiaries", "map id → map", "**required** (weights must sum > 0)",
                                     "recipients of benefit-sharing payments"));
  top.push_back(
      structured<Scenario>("schedule", "list of events", "`[]`", "changes of the regime over time"));

  t.time = {"time", "`time`", {}};
  t.time.rows.push_back(number<&Scenario::start_year>("start", "yr", "t0", any, "start of the run"));
  t.time.rows.push_back(
      with_rule(number<&Scenario::end_year>("end", "yr", "", any, "end of the run"), "> `start`"));

  t.integrator = {"integrator", "`integrator`", {}};
  auto& integrator = t.integrator.rows;
  integrator.push_back(quoted(choice<&IntegratorSettings::stepper>(
      "stepper", {"dopri5", "bulirsch_stoer"},
      "Dormand–Prince 5(4) with dense output; or Bulirsch–Stoer with dense output (for stiff-ish corners and "
      "`arcm sweep --retry-failed`)")));
  integrator.push_back(number<&IntegratorSettings::relative_tolerance>(
      "relative_tolerance", "1", "", positive, "relative error tolerance of a step", SWEEP));
  integrator.push_back(number<&IntegratorSettings::absolute_tolerance>(
      "absolute_tolerance", "1", "", positive, "absolute error tolerance of a step, in each state's units",
      SWEEP));
  integrator.push_back(number<&IntegratorSettings::initial_step>("initial_step", "yr", "", positive,
                                                                 "first trial step", SWEEP));
  integrator.push_back(whole_number<&IntegratorSettings::max_steps>(
      "max_steps", "1", "", positive, "accepted steps per run before the run fails"));
  integrator.push_back(boolean<&IntegratorSettings::locate_switches>(
      "locate_switches",
      "dopri5 only: retry a failed step up to the investment switch or launch-provider change that failed "
      "it, "
      "and restart after a provider change (docs/model.md §4, \"Switches located in failed steps\"); "
      "`false` steps over them as odeint does"));
  integrator.push_back(boolean<&IntegratorSettings::predict_switches>(
      "predict_switches",
      "dopri5 with `locate_switches` only: after each accepted step, shorten the next to end just past an "
      "investment switch (Q − 1 crossing 0) predicted by extrapolating each plant's Q − 1 (docs/model.md "
      "§4, \"Switches predicted\"); `false` waits for the failed step"));

  t.output = {"output", "`output`", {}};
  auto& output = t.output.rows;
  output.push_back(
      with_rule(number<&OutputSettings::step>("step", "yr", "", positive, "output grid spacing"),
                "divides `end − start` into a whole number of steps (tolerance 1e-9), at most 1e6 of them"));
  output.push_back(structured<OutputSettings>(
      "variables", "`all`, `none` or list of strings", "`all`",
      "which trajectories to store: names of trajectory variables (docs/output-format.md); a misspelt or "
      "repeated name is refused"));
  output.push_back(choice<&OutputSettings::single_precision>("precision", {"float64", "float32"},
                                                             "storage type of trajectories"));
  {
    Parameter<OutputSettings> compression;
    compression.about.key = "compression";
    compression.about.type = Type::choice;
    compression.about.unit = "1";
    compression.about.choices = {"deflate", "none"};
    compression.about.meaning =
        "shuffle + deflate on stored trajectories, or none (faster writes, ~1.6× larger files)";
    compression.get = &get_compression;
    compression.set = &set_compression;
    output.push_back(compression);
  }

  t.economy = {"economy", "`economy`", {}};
  auto& economy = t.economy.rows;
  economy.push_back(
      number<&Economy::social_discount_rate>("social_discount_rate", "1/yr", "r_soc", positive,
                                             "discounting in the scarcity (user) cost λ_k (§3.3)", SWEEP));
  economy.push_back(number<&Economy::eligibility_band>(
      "eligibility_band", "1", "ν", positive,
      "how far inside the money a player must be to fill demand at the cap (§3.4)", SWEEP));
  economy.push_back(number<&Economy::investment_saturation>("investment_saturation", "1", "x_max", positive,
                                                            "saturation of the investment response (§3.5)",
                                                            SWEEP));
  economy.push_back(number<&Economy::revenue_share_floor>(
      "revenue_share_floor", "M$/yr", "R₀", positive, "keeps bloc revenue shares continuous (§3.9)", SWEEP));
  economy.push_back(number<&Economy::title_risk_premium>("title_risk_premium", "1/yr", "ρ_θ", non_negative,
                                                         "required-return premium for insecure title (§3.5)",
                                                         SWEEP));
  economy.push_back(
      number<&Economy::tension_risk_premium>("tension_risk_premium", "1/yr", "ρ_T", non_negative,
                                             "required-return premium per unit of tension (§3.5)", SWEEP));
  economy.push_back(number<&Economy::tension_cost_surcharge>(
      "tension_cost_surcharge", "1", "σ_T", non_negative,
      "security surcharge on unit costs per unit of tension (§3.2)", SWEEP));
  economy.push_back(number<&Economy::debris_launch_surcharge>(
      "debris_launch_surcharge", "1", "ψ_L", non_negative,
      "launch-cost surcharge per D_ref of extra debris (§3.1)", SWEEP));
  economy.push_back(number<&Economy::mitigation_cost>(
      "mitigation_cost", "1", "c_M", non_negative,
      "launch-cost surcharge per unit of extra mitigation compliance (§3.1)", SWEEP));
  economy.push_back(optional_number<&Economy::mitigation_reference>(
      "mitigation_reference", "1", "P_M,ref", unit_interval, "P_M(t0)",
      "mitigation compliance from which c_M is charged (§3.1)", SWEEP));
  economy.push_back(number<&Economy::debris_capacity_loss>(
      "debris_capacity_loss", "1/yr", "ψ_D", non_negative,
      "extra capacity depreciation per D_ref of debris (§3.5)", SWEEP));
  economy.push_back(number<&Economy::price_taking_band>(
      "price_taking_band", "1", "ν_pt", positive,
      "a price taker supplies K̃ · clamp((P − ĉ) / (ν_pt P), 0, 1) (§3.4)", SWEEP));
  economy.push_back(choice<&Economy::expectations>(
      "expectations", {"myopic", "perfect_foresight"},
      "investors value plants at today's margins, or along the expected path with a Hotelling rent (§3.15)",
      SWEEP));
  economy.push_back(number<&Economy::foresight_tolerance>(
      "foresight_tolerance", "1", "", positive,
      "perfect foresight: largest scaled change of the expected path at which the fixed point has converged "
      "(§3.15)",
      SWEEP));
  economy.push_back(whole_number<&Economy::foresight_max_iterations>(
      "foresight_max_iterations", "1", "", positive,
      "perfect foresight: runs with expectations before the run fails as not converged (§3.15)", SWEEP));
  economy.push_back(
      with_rule(optional_number<&Economy::foresight_step>(
                    "foresight_step", "yr", "Δ_E", positive, "`output.step`",
                    "perfect foresight: spacing of the grid the expected path is held on (§3.15)"),
                "divides `time.end` − `time.start`"));
  economy.push_back(number<&Economy::foresight_damping>(
      "foresight_damping", "1", "β_E", unit_interval_open_bottom,
      "perfect foresight: share of the update taken at each iteration (§3.15)", SWEEP));
  economy.push_back(whole_number<&Economy::foresight_memory>(
      "foresight_memory", "1", "m_E", non_negative,
      "perfect foresight: iterations Anderson acceleration remembers; 0 = damped iteration (§3.15)"));
  economy.push_back(boolean<&Economy::value_build_lag>(
      "value_build_lag",
      "perfect foresight: a plant started now is valued from when it is built, discounted over the build "
      "lag; "
      "`false` values it as earning from its start, as the myopic rule of §3.5 does (§3.15)",
      SWEEP));

  t.debris = {"debris", "`debris`", {}};
  auto& debris = t.debris.rows;
  debris.push_back(number<&Debris::initial>("initial", "count", "D₀", non_negative,
                                            "objects > 10 cm in orbit at t0", SWEEP));
  debris.push_back(optional_number<&Debris::reference>("reference", "count", "D_ref", positive, "`initial`",
                                                       "scale of the debris effects", SWEEP));
  debris.push_back(optional_number<&Debris::saturation>(
      "saturation", "count", "D_sat", positive, "10 × `initial`", "saturation of the collision term", SWEEP));
  debris.push_back(with_rule(optional_number<&Debris::kessler_threshold>(
                                 "kessler_threshold", "count", "D_max", any, "100 × `initial`",
                                 "the run stops with status `kessler` here", SWEEP),
                             "> `initial`"));
  debris.push_back(number<&Debris::per_launched_tonne>("per_launched_tonne", "count/t", "m_D", non_negative,
                                                       "debris per launched tonne (before mitigation)",
                                                       SWEEP));
  debris.push_back(number<&Debris::collision_rate>("collision_rate", "1/yr", "k_D", non_negative,
                                                   "collision cascade rate", SWEEP));
  debris.push_back(
      number<&Debris::decay_rate>("decay_rate", "1/yr", "δ_D", non_negative, "atmospheric decay", SWEEP));
  debris.push_back(number<&Debris::per_asat_test>("per_asat_test", "count/test", "γ_A", non_negative,
                                                  "debris per anti-satellite test", SWEEP));

  t.tension = {"tension", "`tension`", {}};
  auto& tension = t.tension.rows;
  tension.push_back(number<&Tension::initial>("initial", "1", "T₀", unit_interval, "tension at t0", SWEEP));
  tension.push_back(number<&Tension::base>("base", "1", "T_base", unit_interval,
                                           "target tension with equal blocs and no claims", SWEEP));
  tension.push_back(number<&Tension::inequality_weight>("inequality_weight", "1", "a_Δ", non_negative,
                                                        "weight of bloc revenue inequality in T*", SWEEP));
  tension.push_back(number<&Tension::claims_weight>("claims_weight", "1", "a_z", non_negative,
                                                    "weight of unrecognised exclusive claims in T*", SWEEP));
  tension.push_back(number<&Tension::adjustment_time>("adjustment_time", "yr", "τ_T", positive,
                                                      "time constant of T towards T*", SWEEP));

  t.legal = {"legal", "`legal` (regime at t0)", {}};
  auto& legal = t.legal.rows;
  legal.push_back(number<&Regime::property_security>("property_security", "1", "θ", unit_interval,
                                                     "security of title to extracted resources",
                                                     SWEEP_SCHEDULE));
  legal.push_back(number<&Regime::safety_zone_exclusivity>("safety_zone_exclusivity", "1", "z", unit_interval,
                                                           "share of deposits that can be held exclusively",
                                                           SWEEP_SCHEDULE));
  legal.push_back(
      number<&Regime::benefit_sharing_rate>("benefit_sharing_rate", "1", "β", unit_interval_open_top,
                                            "royalty on gross revenue paid to the fund", SWEEP_SCHEDULE));
  {
    Parameter<Regime> scope =
        choice<&Regime::scope>("regime_scope", {"parties", "universal"},
                               "who pays β; `universal` also overrides domestic laws", SWEEP_SCHEDULE);
    scope.about.symbol = "scope";
    legal.push_back(scope);
  }
  legal.push_back(number<&Regime::cross_bloc_recognition>("cross_bloc_recognition", "1", "ρ_x", unit_interval,
                                                          "how far blocs recognise each other's claims",
                                                          SWEEP_SCHEDULE));
  legal.push_back(number<&Regime::debris_mitigation>("debris_mitigation", "1", "P_M", unit_interval,
                                                     "share of launched debris averted", SWEEP_SCHEDULE));
  legal.push_back(boolean<&Regime::cross_bloc_launch>(
      "cross_bloc_launch", "may actors buy launches across blocs", SWEEP_SCHEDULE));
  legal.push_back(number<&Regime::spillover_within_bloc>("spillover_within_bloc", "1", "χ_in", non_negative,
                                                         "launch-learning spillover inside a bloc",
                                                         SWEEP_SCHEDULE));
  legal.push_back(number<&Regime::spillover_across_blocs>(
      "spillover_across_blocs", "1", "χ_out", non_negative,
      "launch-learning spillover across blocs (× (1 − T))", SWEEP_SCHEDULE));
  legal.push_back(number<&Regime::asat_tests_per_tension>(
      "asat_tests_per_tension", "tests/yr", "a_mil", non_negative,
      "anti-satellite tests per year per unit of tension", SWEEP_SCHEDULE));

  t.jurisdiction = {"jurisdictions.ID", "`jurisdictions: {ID: {...}}`", {}};
  auto& jurisdiction = t.jurisdiction.rows;
  {
    Parameter<Jurisdiction> domestic;
    domestic.about.key = "domestic_property_security";
    domestic.about.type = Type::optional_number;
    domestic.about.unit = "1";
    domestic.about.symbol = "θ_dom";
    domestic.about.range = unit_interval;
    domestic.about.default_text = "absent = no domestic law";
    domestic.about.meaning = "title security under the domestic resource law; `null` repeals the law";
    domestic.about.use = SWEEP_SCHEDULE;
    domestic.get = &get_domestic_security;
    domestic.set = &set_domestic_security;
    jurisdiction.push_back(domestic);
  }
  jurisdiction.push_back(
      number<&Jurisdiction::licensing_fee_share>("licensing_fee_share", "1", "ℓ", non_negative,
                                                 "licensing fee as a share of capital cost", SWEEP_SCHEDULE));
  jurisdiction.push_back(number<&Jurisdiction::licensing_delay>(
      "licensing_delay", "yr", "τ_L", non_negative, "added to the construction lag", SWEEP_SCHEDULE));
  jurisdiction.push_back(boolean<&Jurisdiction::party_to_regime>(
      "party_to_regime", "party to the benefit-sharing regime", SWEEP_SCHEDULE));

  t.actor = {"actors.ID", "`actors: {ID: {...}}`", {}};
  auto& actor = t.actor.rows;
  {
    Parameter<Actor> kind = choice<&Actor::kind>("kind", {"state", "firm"}, "a state or a firm");
    kind.about.required = true;
    actor.push_back(kind);
  }
  {
    Parameter<Actor> home =
        structured<Actor>("jurisdiction", "jurisdiction id", "**required**", "legal home", true);
    home.about.symbol = "j(i)";
    home.about.rule = "must exist";
    actor.push_back(home);
  }
  actor.push_back(with_rule(
      structured<Actor>("bloc", "string", "`\"\"` (none)", "bloc membership; a bloc of one actor is fine"),
      "a name from the top-level `blocs`; `\"\"` or absent = no bloc"));
  actor.push_back(required_number<&Actor::launch_cost>("launch_cost", "M$/t", "c₀", positive,
                                                       "own launch cost to LEO at t0, before markup", SWEEP));
  actor.push_back(
      with_rule(required_number<&Actor::launch_cost_floor>("launch_cost_floor", "M$/t", "c_floor",
                                                           non_negative, "Wright's-law floor", SWEEP),
                "≤ `launch_cost`"));
  actor.push_back(number<&Actor::progress_ratio>("progress_ratio", "1", "p", unit_interval_open_bottom,
                                                 "cost factor per doubling of experience", SWEEP));
  actor.push_back(required_number<&Actor::launch_experience>("launch_experience", "t", "X(t0)", positive,
                                                             "cumulative launched mass at t0", SWEEP));
  actor.push_back(number<&Actor::launch_markup>("launch_markup", "1", "m", non_negative,
                                                "markup on own cost when selling launches", SWEEP));
  actor.push_back(with_rule(boolean<&Actor::launch_provider>(
                                "launch_provider", "sells launches to others (docs/model.md §3.1)", SWEEP),
                            "firms only"));
  actor.push_back(number<&Actor::base_launch_mass>("base_launch_mass", "t/yr", "L₀", non_negative,
                                                   "launches outside resource activity", SWEEP));
  actor.push_back(number<&Actor::base_launch_growth>("base_launch_growth", "1/yr", "g_L", any,
                                                     "growth of `base_launch_mass`", SWEEP));
  actor.push_back(number<&Actor::budget>("budget", "M$/yr", "", non_negative,
                                         "space budget (state) or access to capital (firm)", SWEEP));
  actor.push_back(
      number<&Actor::resource_budget_share>("resource_budget_share", "1", "", unit_interval,
                                            "share of `budget` for resources; B₀ = budget × share", SWEEP));
  actor.push_back(number<&Actor::budget_growth>("budget_growth", "1/yr", "g_B", any,
                                                "growth of the budget envelope", SWEEP));
  actor.push_back(number<&Actor::profit_reinvestment>("profit_reinvestment", "1", "α", unit_interval,
                                                      "share of profit reinvested", SWEEP));
  actor.push_back(with_rule(number<&Actor::discount_rate>("discount_rate", "1/yr", "r_i", any,
                                                          "required return before premia", SWEEP),
                            "r_i + δ_k > 0 for every resource k"));
  actor.push_back(number<&Actor::adjustment_speed>("adjustment_speed", "1/yr", "φ", non_negative,
                                                   "investment adjustment speed", SWEEP));
  actor.push_back(
      number<&Actor::strategic_value>("strategic_value", "1/yr", "σ", non_negative,
                                      "non-commercial value of capacity (0 for firms by convention)", SWEEP));
  actor.push_back(number<&Actor::cost_efficiency>("cost_efficiency", "1", "e", positive,
                                                  "multiplies unit extraction and transport costs", SWEEP));
  actor.push_back(choice<&Actor::conduct>(
      "conduct", {"cournot", "price_taker"},
      "in every market: best response to residual demand, or supply at marginal cost (§3.4)", SWEEP));
  actor.push_back(per_resource<&Actor::initial_capacity>("initial_capacity", "t/yr", "K(t0)", non_negative,
                                                         "operating capacity at t0", SWEEP));
  actor.push_back(per_resource<&Actor::initial_pipeline>("initial_pipeline", "t/yr", "U(t0)", non_negative,
                                                         "capacity under construction at t0", SWEEP));

  t.resource = {"resources.ID", "`resources: {ID: {...}}`", {}};
  auto& resource = t.resource.rows;
  resource.push_back(text<&Resource::description>("description", "free text"));
  resource.push_back(required_number<&Resource::demand>("demand", "t/yr", "D₀", positive,
                                                        "demand at the reference price at t0", SWEEP));
  resource.push_back(required_number<&Resource::reference_price>("reference_price", "M$/t", "P₀", positive,
                                                                 "price at which demand is D₀", SWEEP));
  resource.push_back(required_number<&Resource::elasticity>(
      "elasticity", "1", "ε", positive, "price elasticity of demand (a magnitude)", SWEEP));
  resource.push_back(number<&Resource::demand_growth>("demand_growth", "1/yr", "g", any,
                                                      "growth of demand at a given price", SWEEP));
  resource.push_back(number<&Resource::fringe_supply>(
      "fringe_supply", "t/yr", "F₀", non_negative, "competitive fringe supply at P₀; 0 = no fringe", SWEEP));
  resource.push_back(number<&Resource::fringe_elasticity>("fringe_elasticity", "1", "η", non_negative,
                                                          "price elasticity of the fringe", SWEEP));
  resource.push_back(
      structured<Resource>("backstop", "`none` or map", "`none`",
                           "unlimited supply at P̄ = price + launch_mass × min_i c_L,i (keys below)"));
  resource.push_back(
      required_number<&Resource::stock>("stock", "t", "S₀", positive, "accessible stock at t0", SWEEP));
  resource.push_back(required_number<&Resource::min_stock>("min_stock", "t", "S_min", positive,
                                                           "scale of the depletion effects", SWEEP));
  resource.push_back(number<&Resource::stock_exponent>("stock_exponent", "1", "γ", non_negative,
                                                       "stock effect on extraction cost", SWEEP));
  resource.push_back(number<&Resource::regeneration_rate>("regeneration_rate", "1/yr", "r_k", non_negative,
                                                          "logistic regeneration (0 for asteroids)", SWEEP));
  resource.push_back(with_rule(
      optional_number<&Resource::stock_capacity>("stock_capacity", "t", "S_cap", positive, "not set",
                                                 "carrying capacity of a regenerating stock", SWEEP),
      "required when `regeneration_rate` > 0"));
  resource.push_back(number<&Resource::extraction_cost>("extraction_cost", "M$/t", "c_ext0", non_negative,
                                                        "unit extraction cost at S₀", SWEEP));
  resource.push_back(number<&Resource::transport_cost>("transport_cost", "M$/t", "c_trans", non_negative,
                                                       "transport to this market", SWEEP));
  resource.push_back(number<&Resource::operations_mass>(
      "operations_mass", "1", "m_ops", non_negative,
      "resupply launched per year per t/yr of capacity ((t/yr) per (t/yr))", SWEEP));
  resource.push_back(required_number<&Resource::hardware_cost>(
      "hardware_cost", "M$/(t/yr)", "h", positive, "capital cost of hardware per t/yr of capacity", SWEEP));
  resource.push_back(number<&Resource::plant_mass>("plant_mass", "t/(t/yr)", "m", non_negative,
                                                   "mass launched to build one t/yr of capacity", SWEEP));
  resource.push_back(with_rule(
      number<&Resource::build_time>("build_time", "yr", "τ_build", non_negative, "construction lag", SWEEP),
      "τ_build + τ_L > 0 for every actor's jurisdiction, at t0 and after every event"));
  resource.push_back(number<&Resource::depreciation>("depreciation", "1/yr", "δ", non_negative,
                                                     "capacity depreciation", SWEEP));
  resource.push_back(
      number<&Resource::entry_scale>("entry_scale", "t/yr", "K_seed", non_negative,
                                     "scale at which an actor enters a market with no capacity", SWEEP));

  t.backstop = {"resources.ID.backstop", "`backstop`", {}};
  t.backstop.rows.push_back(number<&Resource::backstop_price>("price", "M$/t", "c_bs", non_negative,
                                                              "price of the backstop", SWEEP));
  t.backstop.rows.push_back(
      with_rule(number<&Resource::backstop_launch_mass>("launch_mass", "1", "m_bs", non_negative,
                                                        "tonnes launched per tonne delivered", SWEEP),
                "`price` or `launch_mass` > 0"));

  t.beneficiary = {"beneficiaries.ID", "`beneficiaries: {ID: {weight}}`", {}};
  t.beneficiary.rows.push_back(
      with_rule(number<&Beneficiary::weight>("weight", "1", "w_b", non_negative,
                                             "population share; normalised to sum 1 on load"),
                "the sum must be > 0"));

  t.event = {"schedule[N]", "`schedule` (each event)", {}};
  {
    Parameter<ScheduleEvent> year =
        with_rule(number<&ScheduleEvent::year>("year", "yr", "", any, "when the event applies", SWEEP),
                  "time.start ≤ year < time.end; not earlier than the previous event");
    year.about.required = true;
    t.event.rows.push_back(year);
  }
  t.event.rows.push_back(structured<ScheduleEvent>("jurisdiction", "jurisdiction id or `\"*\"`",
                                                   "absent = a regime event",
                                                   "the jurisdiction an event changes, or every one"));
  t.event.rows.push_back(structured<ScheduleEvent>(
      "set", "map, ≥ 1 key", "**required**",
      "regime event: any key of `legal`; jurisdiction event: any key of a jurisdiction", true));
  return t;
}

} // namespace

// ---- Section -----------------------------------------------------------------

template <class Struct> const Parameter<Struct>* Section<Struct>::find(const std::string& key) const {
  for (const Parameter<Struct>& p : rows)
    if (key == p.about.key) return &p;
  return nullptr;
}

template <class Struct> std::vector<std::string> Section<Struct>::keys() const {
  std::vector<std::string> out;
  for (const Parameter<Struct>& p : rows) out.emplace_back(p.about.key);
  return out;
}

template <class Struct> std::vector<std::string> Section<Struct>::keys_with(Use use) const {
  std::vector<std::string> out;
  for (const Parameter<Struct>& p : rows)
    if ((p.about.use & use) != 0) out.emplace_back(p.about.key);
  return out;
}

template <class Struct> std::size_t Section<Struct>::index_of(const Parameter<Struct>& row) const {
  return static_cast<std::size_t>(&row - rows.data());
}

template struct Section<Scenario>;
template struct Section<IntegratorSettings>;
template struct Section<OutputSettings>;
template struct Section<Economy>;
template struct Section<Debris>;
template struct Section<Tension>;
template struct Section<Regime>;
template struct Section<Jurisdiction>;
template struct Section<Actor>;
template struct Section<Resource>;
template struct Section<Beneficiary>;
template struct Section<ScheduleEvent>;

const Table& table() {
  static const Table built = build_table();
  return built;
}

// ---- Schedule changes ------------------------------------------------------------

namespace {
// The change of `key` to `value`, resolved to its row of `section` and the
// row's setter (stored in `setter`); `kind` names the event in the error.
template <class Struct>
ParameterChange resolve_change(const Section<Struct>& section, const std::string& key, double value,
                               const char* kind, void (*ParameterChange::*setter)(Struct&, double)) {
  const Parameter<Struct>* row = section.find(key);
  if (row == nullptr || !row->schedulable()) throw Error(std::string(kind) + " cannot set '" + key + "'");
  ParameterChange change;
  change.parameter = section.index_of(*row);
  change.*setter = row->set;
  change.value = value;
  return change;
}
} // namespace

ParameterChange regime_change(const std::string& key, double value) {
  return resolve_change(table().legal, key, value, "a regime event", &ParameterChange::set_regime);
}

ParameterChange jurisdiction_change(const std::string& key, double value) {
  return resolve_change(table().jurisdiction, key, value, "a jurisdiction event",
                        &ParameterChange::set_jurisdiction);
}

const Parameter<Regime>& regime_row(const ParameterChange& change) {
  return table().legal.rows.at(change.parameter);
}

const Parameter<Jurisdiction>& jurisdiction_row(const ParameterChange& change) {
  return table().jurisdiction.rows.at(change.parameter);
}

// ---- Docs --------------------------------------------------------------------

namespace {

std::string type_text(const Description& d) {
  switch (d.type) {
  case Type::number: return "number";
  case Type::optional_number: return "number or `null`";
  case Type::whole_number: return "whole number";
  case Type::boolean: return "`true`/`false`";
  case Type::text: return "string";
  case Type::per_resource: return "map resource id → number";
  case Type::structured: return d.type_text ? d.type_text : "";
  case Type::choice: break;
  }
  std::string words;
  for (std::size_t i = 0; i < d.choices.size(); ++i)
    words += (i == 0                      ? ""
              : i + 1 == d.choices.size() ? " or "
                                          : ", ") +
             std::string("`") + d.choices[i] + "`";
  return words;
}

std::string unit_text(const Description& d) {
  const std::string unit = d.unit;
  return unit == "1" ? (d.type == Type::number || d.type == Type::optional_number ||
                                d.type == Type::whole_number || d.type == Type::per_resource
                            ? "–"
                            : "")
                     : unit;
}

std::string range_text(const Description& d) {
  std::string text;
  if (d.type == Type::number || d.type == Type::optional_number || d.type == Type::whole_number ||
      d.type == Type::per_resource) {
    text = d.range.requirement();
    if (text.empty() && !d.rule) text = "any";
    // "between 0 and 1" reads better as 0..1 in a table.
    if (text == "between 0 and 1") text = "0..1";
    for (const char* from : {">= ", "<= "}) {
      const auto at = text.find(from);
      if (at != std::string::npos) text.replace(at, 2, from[0] == '>' ? "≥" : "≤");
    }
  }
  if (d.rule) text += (text.empty() ? "" : "; ") + std::string(d.rule);
  return text;
}

std::string use_text(const Description& d) {
  if ((d.use & (sweep | schedule)) == (sweep | schedule)) return "sweep, schedule";
  if (d.use & sweep) return "sweep";
  if (d.use & schedule) return "schedule";
  return "–";
}

std::string escape_cell(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2))
    text.replace(at, 1, "\\|");
  return text;
}

template <class Struct>
void table_rows(std::ostringstream& out, const Section<Struct>& section, const std::string& prefix) {
  for (const Parameter<Struct>& p : section.rows) {
    const Description& d = p.about;
    out << "| `" << prefix << d.key << "` | " << d.symbol << " | " << escape_cell(type_text(d)) << " | "
        << unit_text(d) << " | " << escape_cell(default_text(p)) << " | " << escape_cell(range_text(d))
        << " | " << use_text(d) << " | " << escape_cell(d.meaning) << " |\n";
  }
}

const char* HEADER = "| key | symbol | type | unit | default | range | varies by | meaning |\n"
                     "|---|---|---|---|---|---|---|---|\n";

template <class Struct> std::string markdown(const Section<Struct>& section) {
  std::ostringstream out;
  out << HEADER;
  table_rows(out, section, "");
  return out.str();
}

} // namespace

template <class Struct> std::string default_text(const Parameter<Struct>& row) {
  const Description& d = row.about;
  if (d.default_text) return d.default_text;
  if (d.required) return "**required**";
  const Struct defaults{};
  switch (d.type) {
  case Type::number:
  case Type::optional_number:
  case Type::whole_number: {
    const double value = row.get(defaults);
    return std::isnan(value) ? "not set" : number_text(value);
  }
  case Type::boolean: return row.get(defaults) != 0.0 ? "`true`" : "`false`";
  case Type::choice:
    return std::string("`") + d.choices.at(static_cast<std::size_t>(row.get(defaults))) + "`";
  case Type::text: return "`\"" + defaults.*(row.text) + "\"`";
  case Type::per_resource: return "0 per resource";
  case Type::structured: break;
  }
  return "";
}

std::vector<std::string> key_table_sections() {
  return {"top",   "time",          "integrator", "output",    "economy",       "debris",  "tension",
          "legal", "jurisdictions", "actors",     "resources", "beneficiaries", "schedule"};
}

std::string key_table_markdown(const std::string& section) {
  const Table& t = table();
  if (section == "top") return markdown(t.top);
  if (section == "time") return markdown(t.time);
  if (section == "integrator") return markdown(t.integrator);
  if (section == "output") return markdown(t.output);
  if (section == "economy") return markdown(t.economy);
  if (section == "debris") return markdown(t.debris);
  if (section == "tension") return markdown(t.tension);
  if (section == "legal") return markdown(t.legal);
  if (section == "jurisdictions") return markdown(t.jurisdiction);
  if (section == "actors") return markdown(t.actor);
  if (section == "beneficiaries") return markdown(t.beneficiary);
  if (section == "schedule") return markdown(t.event);
  if (section == "resources") {
    // The backstop's keys follow the `backstop` row, as `backstop.KEY`.
    std::ostringstream out;
    out << HEADER;
    Section<Resource> before{t.resource.path, t.resource.title, {}}, after = before;
    bool past_backstop = false;
    for (const Parameter<Resource>& p : t.resource.rows) {
      (past_backstop ? after : before).rows.push_back(p);
      if (std::string(p.about.key) == "backstop") past_backstop = true;
    }
    table_rows(out, before, "");
    table_rows(out, t.backstop, "backstop.");
    table_rows(out, after, "");
    return out.str();
  }
  throw Error("no key table named '" + section +
              "'; known: top, time, integrator, output, economy, debris, "
              "tension, legal, jurisdictions, actors, resources, beneficiaries, schedule");
}

std::string regenerate_key_tables(const std::string& readme_text) {
  const std::string begin = "<!-- keys: ", end_marker = "<!-- end keys -->";
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t open = readme_text.find(begin, at);
    if (open == std::string::npos) break;
    const std::size_t name_end = readme_text.find(" -->", open);
    if (name_end == std::string::npos) throw Error("a '" + begin + "' line is not closed by ' -->'");
    const std::string name = readme_text.substr(open + begin.size(), name_end - open - begin.size());
    const std::size_t body = readme_text.find('\n', name_end);
    const std::size_t close = readme_text.find(end_marker, name_end);
    if (body == std::string::npos || close == std::string::npos)
      throw Error("the key table '" + name + "' has no '" + end_marker + "' line after it");
    out += readme_text.substr(at, body + 1 - at);
    out += key_table_markdown(name);
    at = close;
  }
  return out + readme_text.substr(at);
}

template std::string default_text(const Parameter<Scenario>&);
template std::string default_text(const Parameter<IntegratorSettings>&);
template std::string default_text(const Parameter<OutputSettings>&);
template std::string default_text(const Parameter<Economy>&);
template std::string default_text(const Parameter<Debris>&);
template std::string default_text(const Parameter<Tension>&);
template std::string default_text(const Parameter<Regime>&);
template std::string default_text(const Parameter<Jurisdiction>&);
template std::string default_text(const Parameter<Actor>&);
template std::string default_text(const Parameter<Resource>&);
template std::string default_text(const Parameter<Beneficiary>&);
template std::string default_text(const Parameter<ScheduleEvent>&);

} // namespace arcm::parameters
