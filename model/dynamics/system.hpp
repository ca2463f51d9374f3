// The ARCM right-hand side (docs/model.md §2, §3.1–§3.10): given the state and the time,
// the derivative of every state component. Markets are cleared inside.
//
// One ArcmSystem holds the parameters in force over one schedule segment and
// a private workspace of intermediate quantities (prices, outputs, cash
// flows), so an evaluation never allocates. A system is therefore used by one
// thread at a time; odeint gets it through std::ref.
#pragma once

#include <cstdint>
#include <vector>

#include "core/params.hpp"
#include "core/schedule.hpp"
#include "core/state.hpp"
#include "dynamics/expectations.hpp"
#include "dynamics/launch.hpp"
#include "legal/regime.hpp"
#include "market/cournot.hpp"

namespace arcm {

struct RunProbe; // dynamics/probe.hpp

//! Quantities fixed once per run at t0 (after the events at t0), docs/model.md §3.1.
struct RunReference {
  std::vector<double> effective_experience; //!< X_eff,i(t0) [t]
  double debris_mitigation{0};              //!< P_M(t0) [-]
};

//! Every intermediate of one evaluation; read by the output recorder.
//! Actor × resource arrays are indexed i * M + k.
struct Workspace {
  // Launch (§3.1)
  std::vector<double> clamped_experience;     //!< max(X, 0) [t]
  std::vector<double> bloc_experience;        //!< Σ X per bloc [t]
  std::vector<double> effective_experience;   //!< X_eff [t]
  std::vector<double> own_launch_cost;        //!< c_own [M$/t]
  std::vector<double> launch_offer;           //!< (1 + markup) c_own, the price a provider asks [M$/t]
  std::vector<double> launch_cost;            //!< c_L [M$/t]
  std::vector<int> launch_provider;           //!< −1: flies itself; else index of the provider it buys from
  std::vector<launch::Offer> cheapest_offers; //!< scratch: the two lowest offers per group of buyers
  std::vector<double> launched_mass;          //!< M_i [t/yr]
  // Markets (§3.2–§3.4)
  std::vector<double> extraction_cost; //!< c_ext,k(S_k) [M$/t]
  std::vector<double> availability;    //!< S⁺ / (S⁺ + S_min), K̃ per unit of K [-]
  std::vector<double> capacity;        //!< max(K_ik, 0) [t/yr]
  std::vector<double> pipeline;        //!< max(U_ik, 0) [t/yr]
  std::vector<double> usable_capacity; //!< K̃_ik [t/yr]
  std::vector<double> unit_cost;       //!< c_ik [M$/t]
  std::vector<double> user_cost;       //!< μ_ik [M$/t]
  std::vector<double>
      marginal_cost; //!< ĉ_ik = (c_ik + μ_ik) / (1 − β_i), the player's cost in clearing [M$/t]
  std::vector<double> extraction;      //!< q_ik [t/yr]
  std::vector<double> price;           //!< P_k [M$/t]
  std::vector<double> log_price;       //!< ln P_k, the next clearing's warm start (NaN: none yet)
  std::vector<double> demand;          //!< Q_d,k [t/yr]
  std::vector<double> fringe;          //!< Q_f,k [t/yr]
  std::vector<double> backstop;        //!< Q_bs,k [t/yr]
  std::vector<double> backstop_price;  //!< P̄_k [M$/t] (inf = none)
  std::vector<double> capacity_loss;   //!< δ_k + ψ_D D / D_ref, capacity loss rate [1/yr]
  std::vector<market::Player> players; //!< scratch for one market
  std::vector<double> player_output;   //!< scratch for one market
  // Cash flows and investment (§3.4, §3.5)
  std::vector<double> revenue;              //!< R_ik [M$/yr]
  std::vector<double> royalty;              //!< Y_ik [M$/yr]
  std::vector<double> profit;               //!< π_ik [M$/yr]
  std::vector<double> capital_cost;         //!< κ_ik [M$ per t/yr]
  std::vector<double> inverse_capital_cost; //!< 1 / κ_ik [t/yr per M$]
  std::vector<double> desired_investment;   //!< I*_ik [M$/yr]
  std::vector<double> investment;           //!< I_ik [M$/yr]
  std::vector<double> entry_gap;            //!< Q^T_ik − 1, the entry switch of a plant not yet entered [-]
  std::vector<double> gross_margin;         //!< G_ik = (1 − β_i) P_k − c_ik [M$/t]
  std::vector<double> plant_margin;         //!< margin_ik = G_ik u_ik − m_ops c_L,i [M$/yr per t/yr]
  std::vector<double> required_return;      //!< r̂_ik [1/yr]
  std::vector<double> installed_value;      //!< perfect foresight: W_ik of the expected path [M$ per t/yr]
  std::vector<double> pipeline_value;       //!< perfect foresight: A_ik of the expected path [M$ per t/yr]
  // Tension (§3.9)
  std::vector<double> bloc_revenue; //!< Σ R per bloc [M$/yr]
  std::vector<double> growth;       //!< e^{g (t − t0)} for each distinct rate g of the system [-]
  double tension_target{0};         //!< T* [-]
  long market_evaluations{0};       //!< evaluations of h, cumulative (diagnostics)

  void resize(std::size_t n_actors, std::size_t n_resources, std::size_t n_blocs);
};

//! Utilisation u_ik of a plant (docs/model.md §3.5, and §4, "Entry") [-].
//! `entered`: −1 applies §3.5 as written: q/K, and 1 where K = 0. 1 is a plant
//! that has left K = U = 0: q/K, and where K = 0 the limit of q/K as K → 0⁺,
//! K̃/K = the availability in the money (ĉ < P) and 0 out of it. 0 is a plant
//! that has never invested (K = U = 0): 1 as §3.5 says, except that a plant in
//! the money (gross margin G > 0) takes the availability. Both give it the
//! same investment, none, for as long as q stays below 1; taking the limit
//! makes its entry continuous, since its first plant then earns exactly what
//! the rule promised. Out of the money it keeps u = 1 across its entry so that
//! the integrator can step over it, and the entry is located as an event.
inline double plant_utilisation(int entered, double capacity, double output, double availability,
                                double marginal_cost, double price, double gross_margin) {
  if (entered == 0) return gross_margin > 0.0 ? availability : 1.0;
  if (capacity > 0.0) return output / capacity;
  if (entered < 0) return 1.0;
  return marginal_cost < price ? availability : 0.0;
}

class ArcmSystem {
public:
  //! `scenario`, `reference` and `expected` must outlive the system. With an
  //! expected path (perfect foresight, docs/model.md §3.15) the scarcity rent
  //! and Tobin's q come from it; without one (nullptr) expectations are myopic.
  ArcmSystem(const Scenario& scenario, const StateLayout& layout, const RegimeState& in_force,
             const RunReference& reference, const ExpectedPath* expected = nullptr);

  //! odeint system interface: dxdt = f(x, t).
  void operator()(const StateVector& x, StateVector& dxdt, double t) const {
    evaluate<false>(x, dxdt, t, nullptr);
  }

  //! The same evaluation, adding the ticks spent clearing markets to
  //! `probe.market` (the benchmark's breakdown; see dynamics/probe.hpp).
  void evaluate_probed(const StateVector& x, StateVector& dxdt, double t, RunProbe& probe) const {
    evaluate<true>(x, dxdt, t, &probe);
  }

  //! Entry states of the plants (i * M + k), the `entered` argument of
  //! plant_utilisation() (0, 1, or −1 for docs/model.md §3.5 as written). Empty (the
  //! default): −1 for every plant.
  void set_entered(const std::vector<std::int8_t>& entered) { entered_ = entered; }
  const std::vector<std::int8_t>& entered() const { return entered_; }

  //! The intermediates of the last evaluation.
  const Workspace& workspace() const { return work_; }
  const RegimeState& in_force() const { return in_force_; }
  //! The expected path of perfect foresight, or nullptr (myopic).
  const ExpectedPath* expected() const { return expected_; }
  //! τ_b,ik = τ_build,k + τ_L,j(i) in force on this segment [yr], ik = i * M + k.
  double build_lag(std::size_t ik) const { return 1.0 / inverse_build_lag_[ik]; }

private:
  template <bool Probed>
  void evaluate(const StateVector& x, StateVector& dxdt, double t, RunProbe* probe) const;

  const Scenario& scenario_;
  StateLayout layout_;
  RegimeState in_force_;
  const RunReference& reference_;
  const ExpectedPath* expected_;
  // Per-segment constants
  std::vector<legal::ActorTitle> titles_;   // θ_eff,i, β_i
  std::vector<double> learning_exponent_;   // b_i
  std::vector<double> inverse_build_lag_;   // 1 / τ_b,ik, τ_b,ik = τ_build,k + τ_L,j(i) [1/yr], i * M + k
  std::vector<double> net_share_;           // 1 − β_i [-]
  std::vector<double> inverse_net_share_;   // 1 / (1 − β_i) [-]
  std::vector<double> title_premium_;       // ρ_θ (1 − θ_eff,i) [1/yr]
  std::vector<double> fee_factor_;          // 1 + ℓ_j(i) [-]
  std::vector<double> log_reference_price_; // ln P_0,k
  double inverse_saturation_{0};            // 1 / x_max [-]
  launch::LaunchMarket launch_market_;      // who may buy launches from whom
  std::vector<double> base_budget_;         // B_i0 [M$/yr]
  // Every exponential of time the RHS needs, e^{g (t − t0)}, comes from the
  // distinct rates g below (actors share budget, launch and discount rates),
  // each exponentiated once per evaluation.
  std::vector<double> rates_;              // distinct nonzero rates g [1/yr]
  std::vector<std::size_t> budget_growth_; // per actor: index into growth (g_B,i)
  std::vector<std::size_t> launch_growth_; // per actor: g_L,i
  std::vector<std::size_t> discount_;      // per actor: −r_i
  std::vector<std::size_t> demand_growth_; // per resource: g_k
  std::vector<std::int8_t> entered_;       // per plant; empty: §3.5 as written
  mutable Workspace work_;
};

//! X_eff(t0) and P_M(t0) for a run, from the initial state and the regime
//! after the events at t0 (the first segment's).
RunReference make_run_reference(const Scenario& scenario, const RegimeState& at_start, const StateVector& x0,
                                const StateLayout& layout);

} // namespace arcm
