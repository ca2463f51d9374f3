// How a plant standing at some time is valued (docs/model.md §3.12,
// "Terminal value"). Pure functions, so tests can call them with hand-made
// numbers.
#pragma once

namespace arcm {

//! Value of one t/yr of operating capacity [M$ per t/yr]: the perpetuity of
//! its margin [M$/yr per t/yr] at the required return r̂ [1/yr], which
//! already includes the plant's depreciation. A plant that loses money is
//! worth nothing rather than a liability, because its owner would scrap it.
inline double installed_plant_value(double margin, double required_return) {
  return margin > 0.0 ? margin / required_return : 0.0;
}

//! Value of one t/yr of capacity under construction [M$ per t/yr]: it
//! becomes capacity at the rate 1/τ_b (the first-order lag of §3.6) and is
//! not depreciated while it is built, so it is worth `installed` discounted
//! over the lag at r̃ = r̂ − δ: ∫ e^{−s/τ_b}/τ_b · e^{−r̃ s} ds = 1/(1 + r̃ τ_b).
//! Where that integral diverges (r̃ τ_b ≤ −1, a negative discount rate) the
//! pipeline is valued as installed capacity.
inline double pipeline_plant_value(double installed, double construction_return, double build_lag) {
  const double lag_factor = 1.0 + construction_return * build_lag;
  return lag_factor > 0.0 ? installed / lag_factor : installed;
}

} // namespace arcm
