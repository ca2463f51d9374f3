#include "analysis/morris.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"

namespace arcm::analysis {

namespace {
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t UNSET = static_cast<std::size_t>(-1);

struct Moments {
  double mu;
  double mu_star;
  double sigma;
};

// mu, mu* and sigma of column j over the trajectories listed in `rows`.
Moments moments(const std::vector<double>& effects, std::size_t d, std::size_t j, const std::size_t* rows,
                std::size_t count) {
  double sum = 0, sum_abs = 0;
  std::size_t n = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const double e = effects[rows[k] * d + j];
    if (!std::isfinite(e)) continue;
    sum += e;
    sum_abs += std::fabs(e);
    ++n;
  }
  if (n == 0) return {NaN, NaN, NaN};
  const double mu = sum / static_cast<double>(n);
  double squares = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const double e = effects[rows[k] * d + j];
    if (std::isfinite(e)) squares += (e - mu) * (e - mu);
  }
  const double sigma = n >= 2 ? std::sqrt(squares / static_cast<double>(n - 1)) : NaN;
  return {mu, sum_abs / static_cast<double>(n), sigma};
}
} // namespace

MorrisIndex morris_index(const std::vector<sweep::MorrisRole>& roles, std::size_t trajectories,
                         std::size_t dimension, double delta) {
  const std::size_t d = dimension;
  MorrisIndex index{trajectories,
                    d,
                    delta,
                    std::vector<std::size_t>(trajectories * d, UNSET),
                    std::vector<std::size_t>(trajectories * d, UNSET),
                    std::vector<int>(trajectories * d, 0)};
  // Position of step s of trajectory t, to find each step's predecessor.
  std::vector<std::size_t> position(trajectories * (d + 1), UNSET);
  for (std::size_t p = 0; p < roles.size(); ++p) {
    const sweep::MorrisRole& role = roles[p];
    if (role.trajectory >= trajectories || role.step > d)
      throw Error("Morris design: run at position " + std::to_string(p) + " lies outside the design");
    std::size_t& slot = position[role.trajectory * (d + 1) + role.step];
    if (slot != UNSET)
      throw Error("Morris design: step " + std::to_string(role.step) + " of trajectory " +
                  std::to_string(role.trajectory) + " appears twice");
    slot = p;
  }
  for (std::size_t t = 0; t < trajectories; ++t) {
    for (std::size_t s = 0; s <= d; ++s)
      if (position[t * (d + 1) + s] == UNSET)
        throw Error("Morris design: the file lacks step " + std::to_string(s) + " of trajectory " +
                    std::to_string(t) +
                    " (a shard, or an unfinished sweep?): Morris needs whole trajectories");
    for (std::size_t s = 1; s <= d; ++s) {
      const sweep::MorrisRole& role = roles[position[t * (d + 1) + s]];
      if (role.parameter < 0 || static_cast<std::size_t>(role.parameter) >= d ||
          index.to[t * d + static_cast<std::size_t>(role.parameter)] != UNSET)
        throw Error("Morris design: trajectory " + std::to_string(t) + " does not move each parameter once");
      const std::size_t k = t * d + static_cast<std::size_t>(role.parameter);
      index.from[k] = position[t * (d + 1) + s - 1];
      index.to[k] = position[t * (d + 1) + s];
      index.sign[k] = role.sign;
    }
  }
  return index;
}

std::vector<double> elementary_effects(const MorrisIndex& index, const double* per_run, std::size_t stride) {
  std::vector<double> effects(index.from.size());
  for (std::size_t k = 0; k < effects.size(); ++k)
    effects[k] = (per_run[index.to[k] * stride] - per_run[index.from[k] * stride]) /
                 (static_cast<double>(index.sign[k]) * index.delta);
  return effects;
}

MorrisMeasures morris_measures(const MorrisIndex& index, const std::vector<double>& effects,
                               const BootstrapPlan& plan, double confidence_level) {
  const std::size_t r = index.trajectories;
  const std::size_t d = index.dimension;
  if (plan.resamples() > 0 && plan.units() != r)
    throw Error("Morris measures: the bootstrap plan has " + std::to_string(plan.units()) + " units for " +
                std::to_string(r) + " trajectories");
  MorrisMeasures out;
  for (auto* v : {&out.mu, &out.mu_low, &out.mu_high, &out.mu_star, &out.mu_star_low, &out.mu_star_high,
                  &out.sigma, &out.sigma_low, &out.sigma_high})
    v->assign(d, NaN);
  out.effects.assign(d, 0);
  std::vector<std::size_t> all(r);
  for (std::size_t t = 0; t < r; ++t) all[t] = t;
  std::vector<double> mu_rep(plan.resamples()), star_rep(plan.resamples()), sigma_rep(plan.resamples());
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t t = 0; t < r; ++t) out.effects[j] += std::isfinite(effects[t * d + j]) ? 1 : 0;
    const Moments point = moments(effects, d, j, all.data(), r);
    out.mu[j] = point.mu;
    out.mu_star[j] = point.mu_star;
    out.sigma[j] = point.sigma;
    if (plan.resamples() == 0 || out.effects[j] == 0) continue;
    for (std::size_t b = 0; b < plan.resamples(); ++b) {
      const Moments m = moments(effects, d, j, plan.resample(b), r);
      mu_rep[b] = m.mu;
      star_rep[b] = m.mu_star;
      sigma_rep[b] = m.sigma;
    }
    const Interval mu = percentile_interval(mu_rep, confidence_level);
    const Interval star = percentile_interval(star_rep, confidence_level);
    out.mu_low[j] = mu.low;
    out.mu_high[j] = mu.high;
    out.mu_star_low[j] = star.low;
    out.mu_star_high[j] = star.high;
    if (std::isfinite(point.sigma)) {
      const Interval sigma = percentile_interval(sigma_rep, confidence_level);
      out.sigma_low[j] = sigma.low;
      out.sigma_high[j] = sigma.high;
    }
  }
  return out;
}

} // namespace arcm::analysis
