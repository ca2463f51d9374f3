#include "dynamics/system.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dynamics/launch.hpp"
#include "dynamics/probe.hpp"

namespace arcm {

void Workspace::resize(std::size_t n, std::size_t m, std::size_t n_blocs) {
  const std::size_t nm = n * m;
  for (auto* v : {&clamped_experience, &effective_experience, &own_launch_cost, &launch_offer, &launch_cost,
                  &launched_mass})
    v->assign(n, 0.0);
  bloc_experience.assign(n_blocs, 0.0);
  bloc_revenue.assign(n_blocs, 0.0);
  launch_provider.assign(n, -1);
  for (auto* v : {&extraction_cost, &availability, &price, &demand, &fringe, &backstop, &backstop_price,
                  &capacity_loss})
    v->assign(m, 0.0);
  log_price.assign(m, std::numeric_limits<double>::quiet_NaN());
  for (auto* v : {&capacity,
                  &pipeline,
                  &usable_capacity,
                  &unit_cost,
                  &user_cost,
                  &extraction,
                  &revenue,
                  &royalty,
                  &profit,
                  &capital_cost,
                  &inverse_capital_cost,
                  &desired_investment,
                  &investment,
                  &entry_gap,
                  &marginal_cost,
                  &gross_margin,
                  &plant_margin,
                  &required_return,
                  &installed_value,
                  &pipeline_value})
    v->assign(nm, 0.0);
  players.assign(n, market::Player{});
  growth.assign(1, 1.0); // growth[0] = e^0 for every zero rate
  player_output.assign(n, 0.0);
}

ArcmSystem::ArcmSystem(const Scenario& scenario, const StateLayout& layout, const RegimeState& in_force,
                       const RunReference& reference, const ExpectedPath* expected)
    : scenario_(scenario), layout_(layout), in_force_(in_force), reference_(reference), expected_(expected),
      launch_market_(scenario.actors, scenario.blocs.size(), in_force.regime.cross_bloc_launch) {
  const std::size_t n = scenario.n_actors();
  const std::size_t m = scenario.n_resources();
  titles_.resize(n);
  learning_exponent_.resize(n);
  net_share_.resize(n);
  inverse_net_share_.resize(n);
  title_premium_.resize(n);
  fee_factor_.resize(n);
  base_budget_.resize(n);
  inverse_build_lag_.resize(n * m);
  for (std::size_t i = 0; i < n; ++i) {
    const Actor& actor = scenario.actors[i];
    const Jurisdiction& home = in_force.jurisdictions.at(static_cast<std::size_t>(actor.jurisdiction));
    titles_[i] = legal::actor_title(in_force.regime, home);
    learning_exponent_[i] = launch::learning_exponent(actor.progress_ratio);
    net_share_[i] = 1.0 - titles_[i].royalty_rate;
    inverse_net_share_[i] = 1.0 / net_share_[i];
    title_premium_[i] = scenario.economy.title_risk_premium * (1.0 - titles_[i].effective_property_security);
    fee_factor_[i] = 1.0 + home.licensing_fee_share;
    base_budget_[i] = actor.budget * actor.resource_budget_share;
    for (std::size_t k = 0; k < m; ++k)
      inverse_build_lag_[i * m + k] = 1.0 / (scenario.resources[k].build_time + home.licensing_delay);
  }
  // growth[0] is e^0 = 1; a nonzero rate gets the slot of its first appearance.
  auto rate_slot = [this](double rate) -> std::size_t {
    if (rate == 0.0) return 0;
    for (std::size_t r = 0; r < rates_.size(); ++r)
      if (rates_[r] == rate) return r + 1;
    rates_.push_back(rate);
    return rates_.size();
  };
  for (const Actor& actor : scenario.actors) {
    budget_growth_.push_back(rate_slot(actor.budget_growth));
    launch_growth_.push_back(rate_slot(actor.base_launch_growth));
    discount_.push_back(rate_slot(-actor.discount_rate)); // −(r t) == (−r) t exactly
  }
  for (const Resource& resource : scenario.resources) {
    demand_growth_.push_back(rate_slot(resource.demand_growth));
    log_reference_price_.push_back(std::log(resource.reference_price));
  }
  inverse_saturation_ = 1.0 / scenario.economy.investment_saturation;
  work_.resize(n, m, scenario.blocs.size());
  work_.growth.assign(rates_.size() + 1, 1.0);
  work_.cheapest_offers.resize(launch_market_.scratch_size());
}

template <bool Probed>
void ArcmSystem::evaluate(const StateVector& x, StateVector& dxdt, double t, RunProbe* probe) const {
  const Scenario& sc = scenario_;
  const StateLayout& L = layout_;
  const Regime& regime = in_force_.regime;
  const Economy& econ = sc.economy;
  const std::size_t n = sc.n_actors();
  const std::size_t m = sc.n_resources();
  const std::size_t n_blocs = sc.blocs.size();
  const double elapsed = t - sc.start_year;
  Workspace& w = work_;

  // The right-hand side reads states that an adaptive step may push slightly
  // out of their domain clamped back into it (docs/model.md §2).
  auto nonneg = [](double v) { return v > 0.0 ? v : 0.0; };
  const double debris = nonneg(x[L.debris()]);
  const double tension = std::clamp(x[L.tension()], 0.0, 1.0);
  const double debris_ref = sc.debris.reference;

  for (std::size_t r = 0; r < rates_.size(); ++r) w.growth[r + 1] = std::exp(rates_[r] * elapsed);
  // Perfect foresight reads the expected path where t falls on its grid (§3.15).
  const ExpectedPath* expected = expected_;
  const ExpectedPath::Position where = expected != nullptr ? expected->locate(t) : ExpectedPath::Position{};
  // K and U are stored actor-major like the workspace (i * M + k), so one pass clamps both.
  const double* capacity_state = &x[L.capacity(0, 0)];
  const double* pipeline_state = &x[L.pipeline(0, 0)];
  for (std::size_t ik = 0; ik < n * m; ++ik) {
    w.capacity[ik] = nonneg(capacity_state[ik]);
    w.pipeline[ik] = nonneg(pipeline_state[ik]);
  }

  // --- Launch cost (§3.1) -----------------------------------------------------
  for (std::size_t i = 0; i < n; ++i) w.clamped_experience[i] = nonneg(x[L.experience(i)]);
  launch::effective_experience(sc.actors, w.clamped_experience.data(), regime.spillover_within_bloc,
                               regime.spillover_across_blocs, tension, n_blocs, w.bloc_experience.data(),
                               w.effective_experience.data());
  for (std::size_t i = 0; i < n; ++i) {
    const Actor& a = sc.actors[i];
    w.own_launch_cost[i] = launch::own_cost(a.launch_cost, a.launch_cost_floor, learning_exponent_[i],
                                            w.effective_experience[i] / reference_.effective_experience[i]);
  }
  const double debris_surcharge =
      1.0 + econ.debris_launch_surcharge * nonneg(debris - sc.debris.initial) / debris_ref;
  const double mitigation_surcharge =
      1.0 + econ.mitigation_cost * nonneg(regime.debris_mitigation - reference_.debris_mitigation);
  double cheapest_launch = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < n; ++j)
    w.launch_offer[j] = (1.0 + sc.actors[j].launch_markup) * w.own_launch_cost[j];
  // Fly yourself unless a provider is strictly cheaper; among equal
  // providers the lowest index wins.
  launch_market_.choose(w.own_launch_cost.data(), w.launch_offer.data(), w.cheapest_offers.data(),
                        w.launch_provider.data(), w.launch_cost.data());
  for (std::size_t i = 0; i < n; ++i) {
    w.launch_cost[i] = w.launch_cost[i] * debris_surcharge * mitigation_surcharge;
    cheapest_launch = std::min(cheapest_launch, w.launch_cost[i]);
  }

  // --- Costs, legal regime and market clearing per resource (§3.2–§3.4) ------
  for (std::size_t k = 0; k < m; ++k) {
    const Resource& r = sc.resources[k];
    const double stock = nonneg(x[L.stock(k)]);
    const double depleted_stock = std::max(stock, r.min_stock);
    w.extraction_cost[k] = r.extraction_cost * std::pow(r.stock / depleted_stock, r.stock_exponent);
    const double availability = stock / (stock + r.min_stock);
    w.availability[k] = availability;
    double total_usable = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double usable = availability * w.capacity[i * m + k];
      w.usable_capacity[i * m + k] = usable;
      total_usable += usable;
    }
    const double rent = legal::scarcity_rent(r.stock_exponent, w.extraction_cost[k], total_usable, stock,
                                             r.min_stock, econ.social_discount_rate);
    const double security_factor = 1.0 + econ.tension_cost_surcharge * tension;
    const double inverse_total_usable = total_usable > 0.0 ? 1.0 / total_usable : 0.0;
    const double resource_cost = (w.extraction_cost[k] + r.transport_cost) * security_factor;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t ik = i * m + k;
      const double share = w.usable_capacity[ik] * inverse_total_usable;
      w.unit_cost[ik] = sc.actors[i].cost_efficiency * resource_cost;
      // Perfect foresight: the actor's own rent along the expected path, the
      // stock effect plus the Hotelling rent H e^{r_i (t − t0)} (§3.15).
      const double actor_rent = expected == nullptr
                                    ? rent
                                    : expected->at(expected->stock_rent, where, ik) +
                                          expected->exhaustion_rent[ik] / w.growth[discount_[i]];
      w.user_cost[ik] = legal::user_cost(titles_[i].effective_property_security, share, actor_rent);
      w.marginal_cost[ik] = (w.unit_cost[ik] + w.user_cost[ik]) * inverse_net_share_[i];
      w.players[i] = {w.usable_capacity[ik], w.marginal_cost[ik],
                      sc.actors[i].conduct == Conduct::price_taker};
    }
    market::MarketConditions conditions;
    conditions.demand_scale = r.demand * w.growth[demand_growth_[k]];
    conditions.reference_price = r.reference_price;
    conditions.elasticity = r.elasticity;
    conditions.fringe_supply = r.fringe_supply;
    conditions.fringe_elasticity = r.fringe_elasticity;
    conditions.backstop_price =
        r.has_backstop ? r.backstop_price + r.backstop_launch_mass * cheapest_launch : market::NO_BACKSTOP;
    conditions.eligibility_band = econ.eligibility_band;
    conditions.price_taking_band = econ.price_taking_band;
    // The previous price warm-starts the bracket; the root does not depend on it
    // beyond the solver tolerance.
    [[maybe_unused]] std::uint64_t market_start = 0;
    if constexpr (Probed) market_start = probe_ticks();
    const market::Clearing cleared = market::clear_market_log(
        conditions, log_reference_price_[k], w.players.data(), n, w.player_output.data(), w.log_price[k]);
    if constexpr (Probed) {
      probe->market += probe_ticks() - market_start;
      probe->market_evaluations += cleared.evaluations;
    }
    w.market_evaluations += cleared.evaluations;
    w.price[k] = cleared.price;
    w.log_price[k] = cleared.log_price;
    w.demand[k] = cleared.demand;
    w.fringe[k] = cleared.fringe;
    w.backstop[k] = cleared.backstop;
    w.backstop_price[k] = conditions.backstop_price;
    for (std::size_t i = 0; i < n; ++i) w.extraction[i * m + k] = w.player_output[i];
  }

  // --- Cash flows, investment and capacity (§3.4–§3.6) ------------------------
  // δ_ik = δ_k + ψ_D D / D_ref depends on the resource only: once per resource.
  for (std::size_t k = 0; k < m; ++k)
    w.capacity_loss[k] = sc.resources[k].depreciation + econ.debris_capacity_loss * debris / debris_ref;
  for (double& v : w.bloc_revenue) v = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const Actor& a = sc.actors[i];
    const double royalty_rate = titles_[i].royalty_rate;
    const double net_share = net_share_[i];
    // r_i + ρ_θ (1 − θ_eff,i) + ρ_T T: the required return before capacity losses.
    const double base_return = a.discount_rate + title_premium_[i] + econ.tension_risk_premium * tension;
    double total_profit = 0.0;
    double total_desired = 0.0;
    double actor_revenue = 0.0;
    double actor_royalty = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      const Resource& r = sc.resources[k];
      const std::size_t ik = i * m + k;
      const double capacity = w.capacity[ik];
      const double pipeline = w.pipeline[ik];
      const double q = w.extraction[ik];
      const double price = w.price[k];
      const double resupply_cost = r.operations_mass * w.launch_cost[i]; // M$/yr per t/yr of capacity
      w.revenue[ik] = price * q;
      w.royalty[ik] = royalty_rate * price * q;
      w.profit[ik] = net_share * price * q - w.unit_cost[ik] * q - resupply_cost * capacity;
      total_profit += w.profit[ik];
      actor_revenue += w.revenue[ik];
      actor_royalty += w.royalty[ik];

      // Tobin's q on myopic expectations; idle capacity earns nothing.
      w.gross_margin[ik] = net_share * price - w.unit_cost[ik];
      const double utilisation =
          plant_utilisation(entered_.empty() ? -1 : entered_[ik], capacity, q, w.availability[k],
                            w.marginal_cost[ik], price, w.gross_margin[ik]);
      const double margin = w.gross_margin[ik] * utilisation - resupply_cost;
      const double capital_cost = (r.hardware_cost + r.plant_mass * w.launch_cost[i]) * fee_factor_[i];
      const double inverse_capital_cost = 1.0 / capital_cost;
      const double required_return = base_return + w.capacity_loss[k];
      double tobin_q;
      if (expected == nullptr) {
        tobin_q = (margin * inverse_capital_cost + a.strategic_value) / required_return;
      } else {
        // The value of one t/yr along the expected path, per M$ it costs: earning
        // from now on (the convention of §3.5), or once built (§3.15).
        const double installed = expected->at(expected->installed_value, where, ik);
        const double started = expected->at(expected->start_value, where, ik);
        tobin_q = econ.value_build_lag
                      ? started * inverse_capital_cost +
                            a.strategic_value * expected->at(expected->start_annuity, where, ik)
                      : installed * inverse_capital_cost +
                            a.strategic_value * expected->at(expected->installed_annuity, where, ik);
        w.installed_value[ik] = installed;
        w.pipeline_value[ik] = started;
      }
      const double excess = nonneg(tobin_q - 1.0);
      w.entry_gap[ik] = tobin_q - 1.0;
      w.plant_margin[ik] = margin;
      w.required_return[ik] = required_return;
      w.capital_cost[ik] = capital_cost;
      w.inverse_capital_cost[ik] = inverse_capital_cost;
      w.desired_investment[ik] = a.adjustment_speed * capital_cost * (capacity + pipeline + r.entry_scale) *
                                 excess / (1.0 + excess * inverse_saturation_);
      total_desired += w.desired_investment[ik];
    }
    // The financing cap scales every market's investment by the same factor.
    const double financing =
        base_budget_[i] * w.growth[budget_growth_[i]] + a.profit_reinvestment * nonneg(total_profit);
    const double scale = total_desired > 0.0 ? std::min(1.0, financing / total_desired) : 0.0;
    double launched = a.base_launch_mass * w.growth[launch_growth_[i]];
    const double discount = w.growth[discount_[i]];
    double net_cash = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      const Resource& r = sc.resources[k];
      const std::size_t ik = i * m + k;
      const double capacity = w.capacity[ik];
      const double pipeline = w.pipeline[ik];
      w.investment[ik] = w.desired_investment[ik] * scale;
      // t/yr of capacity started per year
      const double started = w.investment[ik] * w.inverse_capital_cost[ik];
      const double completed = pipeline * inverse_build_lag_[ik]; // t/yr of capacity completed per year
      dxdt[L.pipeline(i, k)] = started - completed;
      dxdt[L.capacity(i, k)] = completed - w.capacity_loss[k] * capacity;
      dxdt[L.extracted(i, k)] = w.extraction[ik];
      launched += r.plant_mass * started + r.operations_mass * capacity;
      net_cash += w.profit[ik] - w.investment[ik];
    }
    w.launched_mass[i] = launched;
    dxdt[L.npv(i)] = discount * net_cash;
    dxdt[L.profit(i)] = total_profit;
    dxdt[L.royalties_paid(i)] = actor_royalty;
    if (a.bloc >= 0) w.bloc_revenue[a.bloc] += actor_revenue;
  }

  // --- Learning: experience accrues to whoever flies (§3.1, §3.7) -------------
  for (std::size_t i = 0; i < n; ++i) dxdt[L.experience(i)] = 0.0;
  double total_launched = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const int provider = w.launch_provider[i];
    const std::size_t flyer = provider < 0 ? i : static_cast<std::size_t>(provider);
    dxdt[L.experience(flyer)] += w.launched_mass[i];
    total_launched += w.launched_mass[i];
  }

  // --- Debris (§3.8) ----------------------------------------------------------
  const Debris& dp = sc.debris;
  const double asat_tests = regime.asat_tests_per_tension * tension;
  dxdt[L.debris()] = dp.per_launched_tonne * (1.0 - regime.debris_mitigation) * total_launched +
                     dp.collision_rate * debris * debris / (debris_ref * (1.0 + debris / dp.saturation)) -
                     dp.decay_rate * debris + dp.per_asat_test * asat_tests;

  // --- Tension (§3.9) ---------------------------------------------------------
  double spread = 0.0;
  if (n_blocs >= 2) {
    double all_revenue = 0.0;
    for (double v : w.bloc_revenue) all_revenue += v;
    const double floor = econ.revenue_share_floor;
    const double denominator = all_revenue + floor;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (double v : w.bloc_revenue) {
      const double share = (v + floor / static_cast<double>(n_blocs)) / denominator;
      lo = std::min(lo, share);
      hi = std::max(hi, share);
    }
    spread = hi - lo;
  }
  w.tension_target = legal::tension_target(sc.tension, regime, spread);
  dxdt[L.tension()] = (w.tension_target - tension) / sc.tension.adjustment_time;

  // --- Stocks and benefit sharing (§3.10) -------------------------------------
  for (std::size_t k = 0; k < m; ++k) {
    const Resource& r = sc.resources[k];
    const double stock = nonneg(x[L.stock(k)]);
    double extracted = 0.0;
    for (std::size_t i = 0; i < n; ++i) extracted += w.extraction[i * m + k];
    const double regrowth =
        r.regeneration_rate > 0.0 ? r.regeneration_rate * stock * (1.0 - stock / r.stock_capacity) : 0.0;
    dxdt[L.stock(k)] = -extracted + regrowth;
  }
  double total_royalty = 0.0;
  for (double v : w.royalty) total_royalty += v;
  for (std::size_t b = 0; b < sc.n_beneficiaries(); ++b)
    dxdt[L.receipts(b)] = sc.beneficiaries[b].weight * total_royalty;
}

template void ArcmSystem::evaluate<false>(const StateVector&, StateVector&, double, RunProbe*) const;
template void ArcmSystem::evaluate<true>(const StateVector&, StateVector&, double, RunProbe*) const;

RunReference make_run_reference(const Scenario& scenario, const RegimeState& at_start, const StateVector& x0,
                                const StateLayout& layout) {
  const std::size_t n = scenario.n_actors();
  RunReference ref;
  std::vector<double> experience(n), bloc_totals(scenario.blocs.size());
  for (std::size_t i = 0; i < n; ++i) experience[i] = std::max(0.0, x0[layout.experience(i)]);
  ref.effective_experience.resize(n);
  launch::effective_experience(scenario.actors, experience.data(), at_start.regime.spillover_within_bloc,
                               at_start.regime.spillover_across_blocs,
                               std::clamp(x0[layout.tension()], 0.0, 1.0), scenario.blocs.size(),
                               bloc_totals.data(), ref.effective_experience.data());
  ref.debris_mitigation = std::isnan(scenario.economy.mitigation_reference)
                              ? at_start.regime.debris_mitigation
                              : scenario.economy.mitigation_reference;
  return ref;
}

} // namespace arcm
