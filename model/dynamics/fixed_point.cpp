#include "dynamics/fixed_point.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

namespace arcm {

namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t c = 0; c < a.size(); ++c) sum += a[c] * b[c];
  return sum;
}

// The Anderson coefficients γ minimising ‖f − Σ_c γ_c ΔF_c‖₂, by modified
// Gram–Schmidt on the columns; a column that is (nearly) a combination of the
// others is left out with γ_c = 0, so the step stays bounded.
std::vector<double> least_squares(const std::deque<std::vector<double>>& columns,
                                  const std::vector<double>& f) {
  const std::size_t m = columns.size();
  std::vector<std::vector<double>> q;
  std::vector<std::vector<double>> r(m, std::vector<double>(m, 0.0));
  std::vector<std::size_t> kept;
  for (std::size_t c = 0; c < m; ++c) {
    std::vector<double> v = columns[c];
    const double original = std::sqrt(dot(v, v));
    for (std::size_t k = 0; k < q.size(); ++k) {
      const double projection = dot(q[k], v);
      r[k][c] = projection;
      for (std::size_t e = 0; e < v.size(); ++e) v[e] -= projection * q[k][e];
    }
    const double norm = std::sqrt(dot(v, v));
    if (!(norm > 1e-10 * original) || original == 0.0) continue;
    for (double& e : v) e /= norm;
    r[q.size()][c] = norm;
    q.push_back(std::move(v));
    kept.push_back(c);
  }
  // R γ_kept = Qᵀ f, back substitution over the kept columns.
  const std::size_t k_count = kept.size();
  std::vector<double> rhs(k_count);
  for (std::size_t k = 0; k < k_count; ++k) rhs[k] = dot(q[k], f);
  std::vector<double> gamma(m, 0.0);
  for (std::size_t k = k_count; k-- > 0;) {
    double sum = rhs[k];
    for (std::size_t l = k + 1; l < k_count; ++l) sum -= r[k][kept[l]] * gamma[kept[l]];
    gamma[kept[k]] = sum / r[k][kept[k]];
  }
  return gamma;
}

} // namespace

FixedPointOutcome solve_fixed_point(std::vector<double>& x, const std::vector<double>& scale,
                                    const FixedPointMap& map, const FixedPointProjection& project,
                                    const FixedPointSettings& settings, const FixedPointNorm& norm) {
  if (scale.size() != x.size()) throw std::logic_error("solve_fixed_point: scale and x differ in size");
  const std::size_t size = x.size();
  const double beta = settings.damping;
  const auto memory = static_cast<std::size_t>(std::max(0L, settings.memory));
  FixedPointOutcome outcome;
  std::deque<std::vector<double>> delta_u, delta_f; // differences of scaled iterates and residuals
  std::vector<double> u(size), f(size), u_previous, f_previous, gx(size);
  double best = INFINITY;
  for (std::size_t c = 0; c < size; ++c) u[c] = x[c] / scale[c];
  while (outcome.iterations < settings.max_iterations) {
    std::string why;
    ++outcome.iterations;
    if (!map(x, gx, why)) {
      outcome.failure = why;
      return outcome;
    }
    double residual = 0.0;
    for (std::size_t c = 0; c < size; ++c) {
      f[c] = (gx[c] - x[c]) / scale[c];
      if (!std::isfinite(f[c])) {
        outcome.failure = "the update is not finite";
        outcome.residual = INFINITY;
        return outcome;
      }
      residual = std::max(residual, std::fabs(f[c]));
    }
    if (norm) residual = norm(f);
    outcome.residual = residual;
    if (residual <= settings.tolerance) {
      outcome.converged = true;
      return outcome;
    }
    if (outcome.iterations >= settings.max_iterations) break;
    // A residual far above the best seen means the history misleads: start it afresh.
    if (residual > 100.0 * best) {
      delta_u.clear();
      delta_f.clear();
    } else if (!u_previous.empty() && memory > 0) {
      std::vector<double> du(size), df(size);
      for (std::size_t c = 0; c < size; ++c) {
        du[c] = u[c] - u_previous[c];
        df[c] = f[c] - f_previous[c];
      }
      delta_u.push_back(std::move(du));
      delta_f.push_back(std::move(df));
      if (delta_u.size() > memory) {
        delta_u.pop_front();
        delta_f.pop_front();
      }
    }
    best = std::min(best, residual);
    u_previous = u;
    f_previous = f;
    std::vector<double> next(size);
    for (std::size_t c = 0; c < size; ++c) next[c] = u[c] + beta * f[c];
    if (!delta_f.empty()) {
      const std::vector<double> gamma = least_squares(delta_f, f);
      for (std::size_t h = 0; h < gamma.size(); ++h)
        if (gamma[h] != 0.0)
          for (std::size_t c = 0; c < size; ++c) next[c] -= (delta_u[h][c] + beta * delta_f[h][c]) * gamma[h];
    }
    for (std::size_t c = 0; c < size; ++c) x[c] = next[c] * scale[c];
    if (project) project(x);
    for (std::size_t c = 0; c < size; ++c) u[c] = x[c] / scale[c];
  }
  return outcome;
}

} // namespace arcm
