// Perfect foresight (docs/model.md §3.15): what investors and extractors
// expect, held on a time grid, and how a realised run updates it.
//
// An ExpectedPath holds, for every plant (actor i, resource k), the scarcity
// rent it expects and the value of a plant along the expected path. The
// right-hand side reads it by linear interpolation in time; a run recorded on
// the same grid gives the next expected path (expected_path_from). The fixed
// point of that map (dynamics/fixed_point.hpp) is the perfect-foresight path.
// The pure functions below are the pieces of the update, so that tests can
// apply them to hand-made paths (the textbook Hotelling cases).
#pragma once

#include <cstddef>
#include <vector>

#include "core/params.hpp"
#include "core/results.hpp"

namespace arcm {

//! Expectations on the grid t_j. Per-node series are node-major: j * plants + ik, ik = i * M + k.
struct ExpectedPath {
  std::vector<double> times;         //!< t_j [yr], t_0 = start, last = end
  std::size_t resources{0};          //!< M
  std::size_t plants{0};             //!< N · M
  double reference_rate{0.05};       //!< r̄ of the exhaustion discount [1/yr] (economy.social_discount_rate)
  std::vector<double> discount_rate; //!< r_i of each plant's owner [1/yr], per plant
  //! z_k = e^{−r̄ (T_x,k − t0)}: the discount factor to the date resource k runs out [-], per resource
  std::vector<double> exhaustion_discount;
  std::vector<double> choke_margin; //!< m_ik: what the last tonne earns at T_x,k [M$/t], per plant
  //! H_ik = m_ik z_k^{r_i / r̄} = m_ik e^{−r_i (T_x,k − t0)}: the Hotelling rent at t0 [M$/t], per
  //! plant; derived from z and m by refresh(), not an unknown of the fixed point.
  std::vector<double> exhaustion_rent;
  std::vector<double> stock_rent;        //!< λ^γ_ik(t_j): rent of the stock effect on costs [M$/t]
  std::vector<double> installed_value;   //!< W_ik(t_j): one t/yr operating from t_j [M$ per t/yr]
  std::vector<double> installed_annuity; //!< W¹_ik(t_j): 1 M$/yr per t/yr operating from t_j [yr]
  std::vector<double> start_value;   //!< A_ik(t_j): one t/yr started at t_j, or in the pipeline [M$ per t/yr]
  std::vector<double> start_annuity; //!< A¹_ik(t_j): 1 M$/yr per t/yr on a plant started at t_j [yr]

  //! Where t falls on the grid: the node below it and the weight of the node above.
  struct Position {
    std::size_t node{0};
    double weight{0};
  };
  Position locate(double t) const;
  //! Series `series` at `at` for plant ik, linear between nodes (constant outside the grid).
  double at(const std::vector<double>& series, const Position& where, std::size_t ik) const {
    const std::size_t j = where.node * plants + ik;
    if (where.weight == 0.0) return series[j];
    return series[j] + where.weight * (series[j + plants] - series[j]);
  }

  //! The date resource k is expected to run out, t0 − ln(z_k) / r̄ (+inf when z_k = 0) [yr].
  double exhaustion_date(std::size_t k) const;
  //! Recompute exhaustion_rent from exhaustion_discount and choke_margin.
  void refresh();

  //! Every unknown of the path in one vector (the fixed point's), and back (unpack refreshes).
  std::vector<double> pack() const;
  void unpack(const std::vector<double>& values);
  //! Offsets in pack()'s vector of its seven parts: z, m, λ^γ, W, W¹, A, A¹, and the end.
  std::vector<std::size_t> blocks() const;
};

//! A path with the grid `times` for the scenario's plants, every value 0
//! (no resource runs out: z = 0).
ExpectedPath zero_path(const Scenario& scenario, const std::vector<double>& times);

//! The expected path a run gives: `realised` is a run of `scenario` recorded
//! on the grid of the path with every trajectory variable (a run that stopped
//! early has its last recorded values held to the end). `previous` is the
//! path the run was made with (nullptr for the myopic start): its exhaustion
//! dates are where the realised stocks are measured.
ExpectedPath expected_path_from(const Scenario& scenario, const RunResults& realised,
                                const ExpectedPath* previous);

// ---- The pieces (docs/model.md §3.15) ------------------------------------------

//! The date a stock runs out, seen from a run made expecting it to run out at
//! `expected` (+inf: not at all) [yr]. Within each grid interval the stock is
//! followed from the interval's first node at that node's extraction rate. If
//! it falls to `threshold` before t_c = min(`expected`, end of the grid), that
//! date. Otherwise t_c plus the time what is left at t_c lasts at the larger
//! of that rate and the mean rate since t0 (+inf if nothing is extracted). It
//! equals `expected` exactly when the stock is at the threshold then.
double exhaustion_date(const std::vector<double>& times, const std::vector<double>& stock,
                       const std::vector<double>& extraction, double threshold, double expected);

//! Backward solution of dV/dt = rate(t) V − source(t) on the grid, V(t_last) =
//! `terminal`, each interval with its rate and source the means of its ends,
//! solved exactly: V_j = e^{−r̄Δ} V_{j+1} + s̄ (1 − e^{−r̄Δ}) / r̄. This is the
//! present value at t_j of the flow `source` discounted at `rate`.
std::vector<double> discount_backward(const std::vector<double>& times, const std::vector<double>& rate,
                                      const std::vector<double>& source, double terminal);

} // namespace arcm
