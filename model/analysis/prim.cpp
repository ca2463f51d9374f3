#include "analysis/prim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"

namespace arcm::analysis {

namespace {

struct Data {
  const std::vector<double>& x;
  std::size_t n;
  std::size_t d;
  const std::vector<char>& interest;
  std::size_t total_interest;
  std::vector<double> range_low, range_high;
  double at(std::size_t i, std::size_t j) const { return x[i * d + j]; }
};

bool inside(const Data& data, std::size_t i, const std::vector<double>& low, const std::vector<double>& high,
            std::size_t skip = static_cast<std::size_t>(-1)) {
  for (std::size_t j = 0; j < data.d; ++j) {
    if (j == skip) continue;
    const double v = data.at(i, j);
    if (v < low[j] || v > high[j]) return false;
  }
  return true;
}

PrimBox describe(const Data& data, std::vector<double> low, std::vector<double> high) {
  PrimBox box;
  std::size_t in = 0, hits = 0;
  for (std::size_t i = 0; i < data.n; ++i)
    if (inside(data, i, low, high)) {
      ++in;
      hits += data.interest[i] ? 1 : 0;
    }
  box.mass = static_cast<double>(in) / static_cast<double>(data.n);
  box.coverage = static_cast<double>(hits) / static_cast<double>(data.total_interest);
  box.density = in > 0 ? static_cast<double>(hits) / static_cast<double>(in) : 0.0;
  box.is_restricted.assign(data.d, 0);
  for (std::size_t j = 0; j < data.d; ++j)
    if (low[j] > data.range_low[j] || high[j] < data.range_high[j]) {
      box.is_restricted[j] = 1;
      ++box.restricted;
    }
  box.low = std::move(low);
  box.high = std::move(high);
  return box;
}

// A candidate change of one face and what the box would then hold.
struct Candidate {
  std::size_t dim{0};
  bool upper{false};
  double bound{0};
  std::size_t in{0};
  std::size_t hits{0};
  bool valid{false};
  double density() const { return in > 0 ? static_cast<double>(hits) / static_cast<double>(in) : 0.0; }
};

// Peeling face (dim, upper) of the box holding `members`: the new bound is
// the value at rank ceil(alpha m) from that end, and every case beyond it
// goes; when ties leave nothing to remove, the next distinct value is used.
Candidate peel_candidate(const Data& data, const std::vector<std::size_t>& members, std::size_t dim,
                         bool upper, double alpha, std::vector<double>& scratch) {
  Candidate c;
  c.dim = dim;
  c.upper = upper;
  scratch.clear();
  for (std::size_t i : members) scratch.push_back(data.at(i, dim));
  std::sort(scratch.begin(), scratch.end());
  if (upper) std::reverse(scratch.begin(), scratch.end());
  const std::size_t m = scratch.size();
  auto beyond = [&](double a, double b) { return upper ? a > b : a < b; };
  std::size_t k = std::min(m - 1, static_cast<std::size_t>(std::ceil(alpha * static_cast<double>(m))));
  while (k < m && scratch[k] == scratch[0]) ++k; // all values tied with the extreme go together
  if (k >= m) return c;                          // one distinct value left: nothing to peel
  c.bound = scratch[k];
  for (std::size_t i : members) {
    if (beyond(data.at(i, dim), c.bound)) continue; // peeled off
    ++c.in;
    c.hits += data.interest[i] ? 1 : 0;
  }
  c.valid = true;
  return c;
}

bool better(const Candidate& a, const Candidate& b) {
  if (!b.valid) return a.valid;
  if (!a.valid) return false;
  if (a.density() != b.density()) return a.density() > b.density();
  return a.in > b.in; // equal density: remove fewer cases
}

// Pasting face (dim, upper): widen it to take in the nearest
// ceil(alpha m) cases that lie outside the box along that face only.
Candidate paste_candidate(const Data& data, const std::vector<double>& low, const std::vector<double>& high,
                          std::size_t in, std::size_t hits, std::size_t dim, bool upper, double alpha,
                          std::vector<double>& scratch) {
  Candidate c;
  c.dim = dim;
  c.upper = upper;
  scratch.clear();
  for (std::size_t i = 0; i < data.n; ++i) {
    const double v = data.at(i, dim);
    if ((upper ? v > high[dim] : v < low[dim]) && inside(data, i, low, high, dim)) scratch.push_back(v);
  }
  if (scratch.empty()) return c;
  std::sort(scratch.begin(), scratch.end());
  if (!upper) std::reverse(scratch.begin(), scratch.end()); // nearest first
  const std::size_t take = std::min(
      scratch.size(),
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(alpha * static_cast<double>(in)))));
  c.bound = scratch[take - 1];
  c.in = in;
  c.hits = hits;
  for (std::size_t i = 0; i < data.n; ++i) {
    const double v = data.at(i, dim);
    const bool added = upper ? (v > high[dim] && v <= c.bound) : (v < low[dim] && v >= c.bound);
    if (added && inside(data, i, low, high, dim)) {
      ++c.in;
      c.hits += data.interest[i] ? 1 : 0;
    }
  }
  c.valid = true;
  return c;
}

} // namespace

PrimResult prim(const std::vector<double>& x, std::size_t d, const std::vector<char>& interest,
                const PrimOptions& options) {
  if (!(options.peel_alpha > 0 && options.peel_alpha < 0.5))
    throw Error("PRIM: peel_alpha must lie in (0, 0.5), got " + std::to_string(options.peel_alpha));
  if (!(options.paste_alpha > 0 && options.paste_alpha < 1))
    throw Error("PRIM: paste_alpha must lie in (0, 1), got " + std::to_string(options.paste_alpha));
  if (!(options.min_mass > 0 && options.min_mass < 1))
    throw Error("PRIM: min_mass must lie in (0, 1), got " + std::to_string(options.min_mass));
  if (!(options.density_slack >= 0 && options.density_slack < 1))
    throw Error("PRIM: density_slack must lie in [0, 1), got " + std::to_string(options.density_slack));
  if (!(options.min_coverage >= 0 && options.min_coverage <= 1))
    throw Error("PRIM: min_coverage must lie in [0, 1], got " + std::to_string(options.min_coverage));
  const std::size_t n = interest.size();
  if (d == 0 || n == 0 || x.size() != n * d) throw Error("PRIM: no cases, or no parameters, to analyse");
  Data data{x, n, d, interest, 0, std::vector<double>(d), std::vector<double>(d)};
  for (char c : interest) data.total_interest += c ? 1 : 0;
  if (data.total_interest == 0)
    throw Error("PRIM: no case is of interest (every run is on the other side of the threshold)");
  for (std::size_t j = 0; j < d; ++j) {
    data.range_low[j] = data.range_high[j] = x[j];
    for (std::size_t i = 0; i < n; ++i) {
      data.range_low[j] = std::min(data.range_low[j], data.at(i, j));
      data.range_high[j] = std::max(data.range_high[j], data.at(i, j));
    }
  }

  PrimResult result;
  result.cases = n;
  result.cases_of_interest = data.total_interest;
  result.base_density = static_cast<double>(data.total_interest) / static_cast<double>(n);

  std::vector<double> low = data.range_low, high = data.range_high;
  std::vector<std::size_t> members(n);
  for (std::size_t i = 0; i < n; ++i) members[i] = i;
  result.trajectory.push_back(describe(data, low, high));
  const double min_cases = options.min_mass * static_cast<double>(n);
  std::vector<double> scratch;
  for (;;) {
    Candidate best;
    for (std::size_t j = 0; j < d; ++j)
      for (bool upper : {false, true}) {
        const Candidate c = peel_candidate(data, members, j, upper, options.peel_alpha, scratch);
        if (c.valid && static_cast<double>(c.in) >= min_cases && better(c, best)) best = c;
      }
    if (!best.valid) break;
    (best.upper ? high : low)[best.dim] = best.bound;
    members.erase(std::remove_if(members.begin(), members.end(),
                                 [&](std::size_t i) {
                                   const double v = data.at(i, best.dim);
                                   return best.upper ? v > best.bound : v < best.bound;
                                 }),
                  members.end());
    result.trajectory.push_back(describe(data, low, high));
  }

  // The densest box with enough coverage sets the bar; the chosen box is the
  // earliest (largest) one within density_slack of it. Late peels of
  // unimportant parameters raise the density only by chance, and choosing
  // the strict maximum would restrict them. Step 0 has coverage 1, so
  // there is always a candidate.
  double best_density = 0;
  for (const PrimBox& box : result.trajectory)
    if (box.coverage >= options.min_coverage) best_density = std::max(best_density, box.density);
  for (std::size_t s = 0; s < result.trajectory.size(); ++s)
    if (result.trajectory[s].coverage >= options.min_coverage &&
        result.trajectory[s].density >= best_density - options.density_slack) {
      result.chosen_step = s;
      break;
    }

  // Pasting: widen the face that raises the density most, while one does.
  low = result.trajectory[result.chosen_step].low;
  high = result.trajectory[result.chosen_step].high;
  std::size_t in = 0, hits = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (inside(data, i, low, high)) {
      ++in;
      hits += interest[i] ? 1 : 0;
    }
  for (;;) {
    const double density = static_cast<double>(hits) / static_cast<double>(in);
    Candidate best;
    for (std::size_t j = 0; j < d; ++j)
      for (bool upper : {false, true}) {
        const Candidate c =
            paste_candidate(data, low, high, in, hits, j, upper, options.paste_alpha, scratch);
        // Widening that keeps the density and adds cases of interest is
        // taken too (a box of density 1 grows back to the edge of the
        // region); hits grow at every paste, so pasting ends.
        if (!c.valid || c.hits == hits || c.density() < density) continue;
        if (!best.valid || c.density() > best.density() ||
            (c.density() == best.density() && c.hits > best.hits))
          best = c;
      }
    if (!best.valid) break;
    (best.upper ? high : low)[best.dim] = best.bound;
    in = best.in;
    hits = best.hits;
  }
  result.chosen = describe(data, low, high);
  result.density_without.assign(d, std::numeric_limits<double>::quiet_NaN());
  result.coverage_without.assign(d, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t j = 0; j < d; ++j) {
    if (!result.chosen.is_restricted[j]) continue;
    std::vector<double> wide_low = low, wide_high = high;
    wide_low[j] = data.range_low[j];
    wide_high[j] = data.range_high[j];
    const PrimBox released = describe(data, wide_low, wide_high);
    result.density_without[j] = released.density;
    result.coverage_without[j] = released.coverage;
  }
  return result;
}

} // namespace arcm::analysis
