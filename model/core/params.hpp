// Typed scenario parameters: what a scenario file says, after parsing and
// validation. The model core only ever sees these structs, never YAML.
//
// Each member names its YAML key in brackets, its unit, its default and its
// allowed range. The symbols of docs/model.md are given so the equations can be followed.
// Units: t = tonnes, M$ = millions of 2024 US dollars, yr = years.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace arcm {

inline constexpr double NOT_SET = std::numeric_limits<double>::quiet_NaN();

enum class ActorKind { state, firm };
enum class RegimeScope { parties, universal };
enum class Conduct { cournot, price_taker };
enum class Expectations { myopic, perfect_foresight };

//! A legal home of actors (docs/model.md §2, §3.3).
struct Jurisdiction {
  std::string id;               //!< [map key] identifier
  bool has_domestic_law{false}; //!< true when `domestic_property_security` is given
  double domestic_property_security{
      0};                        //!< [domestic_property_security] θ_dom [-], 0..1; absent/null = no law
  double licensing_fee_share{0}; //!< [licensing_fee_share] ℓ [-], >= 0
  double licensing_delay{0};     //!< [licensing_delay] τ_L [yr], >= 0
  bool party_to_regime{false};   //!< [party_to_regime] party to the benefit-sharing regime
};

//! A state or a firm (docs/model.md §2, §3.1, §3.2, §3.5, §3.7).
struct Actor {
  std::string id;                  //!< [map key] identifier
  ActorKind kind{ActorKind::firm}; //!< [kind] `state` or `firm` (required)
  int jurisdiction{-1}; //!< [jurisdiction] index into Scenario::jurisdictions (required; key is an id)
  int bloc{-1};         //!< [bloc] index into Scenario::blocs, -1 = none (key: a bloc name or "" / absent)

  // Launch (§3.1, §3.7)
  double launch_cost{0}; //!< [launch_cost] c_0 own cost to LEO at t0 before markup [M$/t], > 0 (required)
  double launch_cost_floor{0};  //!< [launch_cost_floor] c_floor [M$/t], 0 <= c_floor <= c_0 (required)
  double progress_ratio{0.85};  //!< [progress_ratio] p [-], (0, 1]
  double launch_experience{0};  //!< [launch_experience] X(t0) cumulative launched mass [t], > 0 (required)
  double launch_markup{0};      //!< [launch_markup] m markup on own cost when selling launches [-], >= 0
  bool launch_provider{false};  //!< [launch_provider] sells launches to others (firms only)
  double base_launch_mass{0};   //!< [base_launch_mass] L_0 non-resource launched mass [t/yr], >= 0
  double base_launch_growth{0}; //!< [base_launch_growth] g_L [1/yr], any real

  // Finance (§3.5)
  double budget{0}; //!< [budget] space budget (state) or access to capital (firm) [M$/yr], >= 0
  double resource_budget_share{
      1}; //!< [resource_budget_share] share of `budget` for resources [-], 0..1; B_0 = budget*share
  double budget_growth{0};           //!< [budget_growth] g_B [1/yr], any real
  double profit_reinvestment{0};     //!< [profit_reinvestment] α share of profit reinvested [-], 0..1
  double discount_rate{0.05};        //!< [discount_rate] r_i [1/yr], > -min(δ_k) (so that r̂ > 0)
  double adjustment_speed{0.2};      //!< [adjustment_speed] φ_i [1/yr], >= 0
  double strategic_value{0};         //!< [strategic_value] σ_i [1/yr], >= 0 (0 for firms by convention)
  double cost_efficiency{1};         //!< [cost_efficiency] e_i [-], > 0
  Conduct conduct{Conduct::cournot}; //!< [conduct] `cournot` or `price_taker` in every market (§3.4)

  // Initial capacities per resource, indexed like Scenario::resources.
  std::vector<double>
      initial_capacity; //!< [initial_capacity: {resource: value}] K(t0) [t/yr], >= 0, default 0
  std::vector<double>
      initial_pipeline; //!< [initial_pipeline: {resource: value}] U(t0) [t/yr], >= 0, default 0
};

//! One resource market (docs/model.md §3.2, §3.4–§3.6, §3.10).
struct Resource {
  std::string id;          //!< [map key] identifier
  std::string description; //!< [description] free text
  // Demand and fringe (§3.4)
  double demand{0};            //!< [demand] D_0 demand at reference price at t0 [t/yr], > 0 (required)
  double reference_price{0};   //!< [reference_price] P_0 [M$/t], > 0 (required)
  double elasticity{0};        //!< [elasticity] ε price elasticity of demand (magnitude) [-], > 0 (required)
  double demand_growth{0};     //!< [demand_growth] g [1/yr], any real
  double fringe_supply{0};     //!< [fringe_supply] F_0 fringe supply at P_0 [t/yr], >= 0; 0 = no fringe
  double fringe_elasticity{0}; //!< [fringe_elasticity] η [-], >= 0
  // Backstop (§3.4): price P̄ = backstop_price + backstop_launch_mass * min_i c_L,i
  bool has_backstop{false}; //!< [backstop] `none` or a map with the two keys below
  double backstop_price{0}; //!< [backstop.price] c_bs [M$/t], >= 0
  double backstop_launch_mass{
      0}; //!< [backstop.launch_mass] m_bs tonnes launched per tonne delivered [-], >= 0
  // Stock (§3.2, §3.10)
  double stock{0};                //!< [stock] S_0 accessible stock [t], > 0 (required)
  double min_stock{0};            //!< [min_stock] S_min [t], > 0 (required)
  double stock_exponent{0};       //!< [stock_exponent] γ [-], >= 0
  double regeneration_rate{0};    //!< [regeneration_rate] r_k [1/yr], >= 0 (0 for asteroids)
  double stock_capacity{NOT_SET}; //!< [stock_capacity] S_cap [t], > 0 when regeneration_rate > 0
  // Costs and plants (§3.2, §3.5, §3.6)
  double extraction_cost{0}; //!< [extraction_cost] c_ext0 [M$/t], >= 0
  double transport_cost{0};  //!< [transport_cost] c_trans [M$/t], >= 0
  double operations_mass{0}; //!< [operations_mass] m_ops resupply [t/yr per t/yr of capacity], >= 0
  double hardware_cost{0};   //!< [hardware_cost] h [M$ per t/yr of capacity], > 0 (required)
  double plant_mass{0};      //!< [plant_mass] m launched to build [t per t/yr of capacity], >= 0
  double build_time{0};      //!< [build_time] τ_build [yr], >= 0 (τ_build + τ_L > 0)
  double depreciation{0.05}; //!< [depreciation] δ_k [1/yr], >= 0
  double entry_scale{0};     //!< [entry_scale] K_seed [t/yr], >= 0
};

//! A recipient of benefit-sharing payments (docs/model.md §2, §3.10, §3.12).
struct Beneficiary {
  std::string id;   //!< [map key] identifier; a state actor with the same id receives its gains
  double weight{0}; //!< [weight] w_b [-] (population share), >= 0; normalised to sum 1 on load
  int actor{-1};    //!< index of the state actor with the same id, -1 if none (derived)
};

//! Regime parameters that the schedule may change (docs/model.md §3.3, §3.11). YAML section `legal`.
struct Regime {
  double property_security{0.6};           //!< [property_security] θ [-], 0..1
  double safety_zone_exclusivity{0};       //!< [safety_zone_exclusivity] z [-], 0..1
  double benefit_sharing_rate{0};          //!< [benefit_sharing_rate] β [-], 0 <= β < 1
  RegimeScope scope{RegimeScope::parties}; //!< [regime_scope] `parties` or `universal`
  double cross_bloc_recognition{0.5};      //!< [cross_bloc_recognition] ρ_x [-], 0..1
  double debris_mitigation{0};             //!< [debris_mitigation] P_M [-], 0..1
  bool cross_bloc_launch{true};            //!< [cross_bloc_launch] may actors buy launches across blocs
  double spillover_within_bloc{0};         //!< [spillover_within_bloc] χ_in [-], >= 0
  double spillover_across_blocs{0};        //!< [spillover_across_blocs] χ_out [-], >= 0
  double asat_tests_per_tension{0};        //!< [asat_tests_per_tension] a_mil [tests/yr], >= 0
};

//! Global economic shape parameters (docs/model.md §3.1–§3.9). YAML section `economy`.
struct Economy {
  double social_discount_rate{0.05};    //!< [social_discount_rate] r_soc [1/yr], > 0
  double eligibility_band{0.02};        //!< [eligibility_band] ν [-], > 0
  double investment_saturation{5};      //!< [investment_saturation] x_max [-], > 0
  double revenue_share_floor{10};       //!< [revenue_share_floor] R_0 [M$/yr], > 0
  double title_risk_premium{0.1};       //!< [title_risk_premium] ρ_θ [1/yr], >= 0
  double tension_risk_premium{0.05};    //!< [tension_risk_premium] ρ_T [1/yr], >= 0
  double tension_cost_surcharge{0.5};   //!< [tension_cost_surcharge] σ_T [-], >= 0
  double debris_launch_surcharge{0};    //!< [debris_launch_surcharge] ψ_L [-], >= 0
  double mitigation_cost{0};            //!< [mitigation_cost] c_M [-], >= 0
  double mitigation_reference{NOT_SET}; //!< [mitigation_reference] P_M,ref [-], 0..1; null: P_M(t0)
  double debris_capacity_loss{0};       //!< [debris_capacity_loss] ψ_D [1/yr], >= 0
  double price_taking_band{1e-3};       //!< [price_taking_band] ν_pt [-], > 0 (§3.4)
  // Expectations (§3.15)
  Expectations expectations{Expectations::myopic}; //!< [expectations] `myopic` or `perfect_foresight`
  double foresight_tolerance{1e-5};   //!< [foresight_tolerance] [-], > 0: scaled residual of the fixed point
  long foresight_max_iterations{100}; //!< [foresight_max_iterations] runs with expectations, > 0
  double foresight_step{NOT_SET};     //!< [foresight_step] [yr], > 0, divides end - start; null: output.step
  double foresight_damping{0.7};      //!< [foresight_damping] β [-], in (0, 1]
  long foresight_memory{5};           //!< [foresight_memory] Anderson memory m, >= 0 (0: damped iteration)
  bool value_build_lag{false};        //!< [value_build_lag] perfect foresight: a plant earns once built
};

//! Orbital debris (docs/model.md §3.8). YAML section `debris`.
struct Debris {
  double initial{36500};             //!< [initial] D_0 objects > 10 cm at t0 [count], >= 0
  double reference{NOT_SET};         //!< [reference] D_ref [count], > 0; default D_0
  double saturation{NOT_SET};        //!< [saturation] D_sat [count], > 0; default 10 D_0
  double kessler_threshold{NOT_SET}; //!< [kessler_threshold] D_max [count], > D_0; default 100 D_0
  double per_launched_tonne{0};      //!< [per_launched_tonne] m_D [objects/t], >= 0
  double collision_rate{0};          //!< [collision_rate] k_D [1/yr], >= 0
  double decay_rate{0};              //!< [decay_rate] δ_D [1/yr], >= 0
  double per_asat_test{0};           //!< [per_asat_test] γ_A [objects/test], >= 0
};

//! Diplomatic tension (docs/model.md §3.9). YAML section `tension`.
struct Tension {
  double initial{0.2};         //!< [initial] T_0 [-], 0..1
  double base{0.2};            //!< [base] T_base [-], 0..1
  double inequality_weight{0}; //!< [inequality_weight] a_Δ [-], >= 0
  double claims_weight{0};     //!< [claims_weight] a_z [-], >= 0
  double adjustment_time{5};   //!< [adjustment_time] τ_T [yr], > 0
};

//! One value that a schedule event sets, resolved when the scenario is loaded
//! (scenario/parameter_table.hpp): the table row it came from, the setter of
//! that row, and the value. Applying it needs no key and no string compare.
struct ParameterChange {
  std::size_t parameter{0}; //!< row of the table's `legal` (regime event) or jurisdiction section
  void (*set_regime)(Regime&, double){nullptr};             //!< a regime event's setter
  void (*set_jurisdiction)(Jurisdiction&, double){nullptr}; //!< a jurisdiction event's setter
  double value{0}; //!< booleans as 0/1, choices as the index of the word, NaN = null
};

//! A regime event (docs/model.md §3.11). YAML: `schedule: [{year, [jurisdiction], set: {...}}]`.
struct ScheduleEvent {
  double year{0}; //!< [year] [yr], t0 <= year < end, nondecreasing in file order
  enum class Target { regime, one_jurisdiction, all_jurisdictions } target{Target::regime};
  int jurisdiction{-1};                 //!< [jurisdiction] index when target == one_jurisdiction ("*" = all)
  std::vector<ParameterChange> changes; //!< [set] in file order
};

enum class Stepper { dopri5, bulirsch_stoer };

//! Integrator settings. YAML section `integrator`.
struct IntegratorSettings {
  Stepper stepper{Stepper::dopri5}; //!< [stepper] `dopri5` (default) or `bulirsch_stoer` (both dense output)
  double relative_tolerance{1e-6};  //!< [relative_tolerance] [-], > 0
  double absolute_tolerance{1e-6};  //!< [absolute_tolerance] [state units], > 0
  double initial_step{0.01};        //!< [initial_step] [yr], > 0
  long max_steps{200000};           //!< [max_steps] accepted steps per run, > 0
  bool locate_switches{
      true}; //!< [locate_switches] dopri5 retries a failed step up to the switch that failed it
  bool predict_switches{true}; //!< [predict_switches] with locate_switches: dopri5 shortens steps to
                               //!< predicted investment switches
  double wall_time_limit{0};   //!< not a scenario key: a sweep's run_time_limit [s], 0 = none
};

//! Output settings. YAML section `output`.
struct OutputSettings {
  double step{1.0};                   //!< [step] output grid spacing [yr], > 0, divides end - start
  bool all_variables{true};           //!< [variables: all]
  std::vector<std::string> variables; //!< [variables: [names]] or [] (`none`) when not all
  bool single_precision{false};       //!< [precision] `float64` (default) or `float32` for trajectories
  bool compress{true};                //!< [compression] `deflate` (default: shuffle + deflate) or `none`
};

//! A whole, validated scenario.
struct Scenario {
  std::string name;                        //!< [name] short identifier
  std::string description;                 //!< [description]
  std::string source_file;                 //!< path the scenario was read from (not a key)
  double start_year{2025};                 //!< [time.start] t0 [yr]
  double end_year{2075};                   //!< [time.end] [yr], > start
  std::vector<Jurisdiction> jurisdictions; //!< [jurisdictions: {id: {...}}]
  std::vector<Actor> actors;               //!< [actors: {id: {...}}]
  std::vector<Resource> resources;         //!< [resources: {id: {...}}]
  std::vector<Beneficiary> beneficiaries;  //!< [beneficiaries: {id: {weight}}]
  std::vector<std::string> blocs;          //!< every bloc named by an actor, first-appearance order (derived)
  Regime regime;                           //!< [legal] regime in force at t0 before t0 events
  Economy economy;                         //!< [economy]
  Debris debris;                           //!< [debris] (defaults resolved on load)
  Tension tension;                         //!< [tension]
  std::vector<ScheduleEvent> schedule;     //!< [schedule]
  IntegratorSettings integrator;           //!< [integrator]
  OutputSettings output;                   //!< [output]

  std::size_t n_actors() const { return actors.size(); }
  std::size_t n_resources() const { return resources.size(); }
  std::size_t n_beneficiaries() const { return beneficiaries.size(); }
};

} // namespace arcm
