#include "dynamics/expectations.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/schedule.hpp"
#include "dynamics/valuation.hpp"
#include "legal/regime.hpp"

namespace arcm {

namespace {

constexpr double INF = std::numeric_limits<double>::infinity();

// The segment in force at t: outputs are right-continuous at events, and the
// end of the run belongs to the last segment.
std::size_t segment_at(const std::vector<Segment>& segments, double t) {
  for (std::size_t s = 0; s + 1 < segments.size(); ++s)
    if (t < segments[s].end) return s;
  return segments.size() - 1;
}

// A realised run's series, read by output row, with the rows after an early
// stop holding the last recorded values.
class Realised {
public:
  Realised(const RunResults& run) : run_(run) {
    const Variable& stock = variable("stock");
    const std::size_t per_row = stock.data.size() / run.time.size();
    rows_ = run.time.size();
    while (rows_ > 1 && !std::isfinite(stock.data[(rows_ - 1) * per_row])) --rows_;
  }
  const Variable& variable(const char* name) const {
    const Variable* v = run_.find(name);
    if (v == nullptr) throw std::logic_error(std::string("expected_path_from: no variable ") + name);
    return *v;
  }
  //! value `index` of the row at `row` (held after the last recorded row)
  double operator()(const Variable& v, std::size_t row, std::size_t index) const {
    const std::size_t per_row = v.data.size() / run_.time.size();
    return v.data[std::min(row, rows_ - 1) * per_row + index];
  }

private:
  const RunResults& run_;
  std::size_t rows_{0};
};

// Linear interpolation of a per-row series at t (held outside the grid).
template <class ValueAt> double interpolate(const std::vector<double>& times, double t, ValueAt value_at) {
  if (t <= times.front()) return value_at(0);
  if (t >= times.back()) return value_at(times.size() - 1);
  const auto above = std::upper_bound(times.begin(), times.end(), t);
  const std::size_t j = static_cast<std::size_t>(above - times.begin()) - 1;
  const double weight = (t - times[j]) / (times[j + 1] - times[j]);
  return value_at(j) + weight * (value_at(j + 1) - value_at(j));
}

} // namespace

ExpectedPath::Position ExpectedPath::locate(double t) const {
  if (!(t > times.front())) return {0, 0.0};
  if (t >= times.back()) return {times.size() - 1, 0.0};
  // The grid is uniform but for rounding; the search only corrects the guess.
  const double step = (times.back() - times.front()) / static_cast<double>(times.size() - 1);
  auto j = static_cast<std::size_t>((t - times.front()) / step);
  j = std::min(j, times.size() - 2);
  while (j > 0 && times[j] > t) --j;
  while (j + 2 < times.size() && times[j + 1] <= t) ++j;
  return {j, (t - times[j]) / (times[j + 1] - times[j])};
}

double ExpectedPath::exhaustion_date(std::size_t k) const {
  const double z = exhaustion_discount[k];
  return z > 0.0 ? times.front() - std::log(z) / reference_rate : INF;
}

void ExpectedPath::refresh() {
  exhaustion_rent.assign(plants, 0.0);
  for (std::size_t ik = 0; ik < plants; ++ik) {
    const double z = exhaustion_discount[ik % resources];
    if (z > 0.0 && choke_margin[ik] > 0.0)
      exhaustion_rent[ik] = choke_margin[ik] * std::pow(z, discount_rate[ik] / reference_rate);
  }
}

std::vector<std::size_t> ExpectedPath::blocks() const {
  const std::size_t series = times.size() * plants;
  std::vector<std::size_t> at{0, resources, resources + plants};
  for (std::size_t b = 1; b <= 5; ++b) at.push_back(resources + plants + b * series);
  return at;
}

std::vector<double> ExpectedPath::pack() const {
  std::vector<double> values;
  values.reserve(blocks().back());
  for (const std::vector<double>* part : {&exhaustion_discount, &choke_margin, &stock_rent, &installed_value,
                                          &installed_annuity, &start_value, &start_annuity})
    values.insert(values.end(), part->begin(), part->end());
  return values;
}

void ExpectedPath::unpack(const std::vector<double>& values) {
  const std::vector<std::size_t> at = blocks();
  if (values.size() != at.back()) throw std::logic_error("ExpectedPath::unpack: wrong size");
  std::vector<double>* parts[] = {&exhaustion_discount, &choke_margin, &stock_rent,   &installed_value,
                                  &installed_annuity,   &start_value,  &start_annuity};
  for (std::size_t b = 0; b < 7; ++b)
    parts[b]->assign(values.begin() + static_cast<std::ptrdiff_t>(at[b]),
                     values.begin() + static_cast<std::ptrdiff_t>(at[b + 1]));
  refresh();
}

ExpectedPath zero_path(const Scenario& sc, const std::vector<double>& times) {
  ExpectedPath path;
  path.times = times;
  path.resources = sc.n_resources();
  path.plants = sc.n_actors() * sc.n_resources();
  path.reference_rate = sc.economy.social_discount_rate;
  path.discount_rate.resize(path.plants);
  for (std::size_t ik = 0; ik < path.plants; ++ik)
    path.discount_rate[ik] = sc.actors[ik / path.resources].discount_rate;
  path.exhaustion_discount.assign(path.resources, 0.0);
  path.choke_margin.assign(path.plants, 0.0);
  for (auto* series : {&path.stock_rent, &path.installed_value, &path.installed_annuity, &path.start_value,
                       &path.start_annuity})
    series->assign(times.size() * path.plants, 0.0);
  path.refresh();
  return path;
}

double exhaustion_date(const std::vector<double>& times, const std::vector<double>& stock,
                       const std::vector<double>& extraction, double threshold, double expected) {
  if (stock.front() <= threshold) return times.front();
  const double until = std::min(expected, times.back());
  // Within an interval the stock is followed from its last node at that
  // node's extraction rate: a stock that runs out (or an extractor priced out)
  // inside the interval has a kink there, which a chord to the next node
  // would smear over the whole interval.
  std::size_t j = 0;
  while (j + 1 < times.size() && times[j + 1] <= until) {
    if (stock[j + 1] <= threshold) {
      const double rate = extraction[j];
      const double crossing = rate > 0.0 ? times[j] + (stock[j] - threshold) / rate : times[j + 1];
      return std::clamp(crossing, times[j], times[j + 1]);
    }
    ++j;
  }
  const double since_node = until - times[j];
  const double left_at_node = stock[j] - threshold;
  if (extraction[j] > 0.0 && extraction[j] * since_node >= left_at_node)
    return times[j] + left_at_node / extraction[j];
  const double left = left_at_node - extraction[j] * since_node;
  // What is left at t_c lasts at the larger of the last rate and the mean rate since t0.
  const double span = until - times.front();
  const double mean_rate = span > 0.0 ? (stock.front() - threshold - left) / span : 0.0;
  const double rate = std::max(extraction[j], mean_rate);
  if (!(rate > 0.0)) return INF;
  return until + left / rate;
}

std::vector<double> discount_backward(const std::vector<double>& times, const std::vector<double>& rate,
                                      const std::vector<double>& source, double terminal) {
  const std::size_t n = times.size();
  std::vector<double> value(n);
  value[n - 1] = terminal;
  for (std::size_t j = n - 1; j-- > 0;) {
    const double dt = times[j + 1] - times[j];
    const double r = 0.5 * (rate[j] + rate[j + 1]);
    const double s = 0.5 * (source[j] + source[j + 1]);
    const double x = r * dt;
    // (1 − e^{−x}) / r, written so that it stays exact as r → 0.
    const double factor = std::fabs(x) > 1e-8 ? -std::expm1(-x) / r : dt * (1.0 - 0.5 * x);
    value[j] = std::exp(-x) * value[j + 1] + s * factor;
  }
  return value;
}

ExpectedPath expected_path_from(const Scenario& sc, const RunResults& run, const ExpectedPath* previous) {
  const std::size_t n = sc.n_actors(), m = sc.n_resources(), nm = n * m;
  const std::vector<double>& times = run.time;
  const std::size_t nodes = times.size();
  ExpectedPath path = zero_path(sc, times);
  const Realised realised(run);
  const Variable& price = realised.variable("price");
  const Variable& backstop_price = realised.variable("backstop_price");
  const Variable& stock = realised.variable("stock");
  const Variable& total = realised.variable("total_extraction");
  const Variable& unit_cost = realised.variable("unit_cost");
  const Variable& user_cost = realised.variable("user_cost");
  const Variable& extraction = realised.variable("extraction");
  const Variable& capacity = realised.variable("capacity");
  const Variable& launch_cost = realised.variable("launch_cost");
  const Variable& tension = realised.variable("tension");
  const Variable& debris = realised.variable("debris");

  // The regime in force at every node: titles, royalties and build lags.
  const std::vector<Segment> segments = build_segments(sc);
  std::vector<std::size_t> segment_of(nodes);
  for (std::size_t j = 0; j < nodes; ++j) segment_of[j] = segment_at(segments, times[j]);
  auto title = [&](std::size_t segment, std::size_t i) {
    const RegimeState& in_force = segments[segment].in_force;
    return legal::actor_title(in_force.regime,
                              in_force.jurisdictions.at(static_cast<std::size_t>(sc.actors[i].jurisdiction)));
  };
  auto build_lag = [&](std::size_t segment, std::size_t i, std::size_t k) {
    const RegimeState& in_force = segments[segment].in_force;
    return sc.resources[k].build_time +
           in_force.jurisdictions.at(static_cast<std::size_t>(sc.actors[i].jurisdiction)).licensing_delay;
  };

  std::vector<double> margin(nodes), required(nodes), building_rate(nodes), ones(nodes, 1.0);
  std::vector<double> installed_source(nodes), annuity_source(nodes), stock_source(nodes), own_rate(nodes);
  std::vector<double> stock_k(nodes), extraction_k(nodes);
  for (std::size_t k = 0; k < m; ++k) {
    const Resource& r = sc.resources[k];
    for (std::size_t j = 0; j < nodes; ++j) {
      stock_k[j] = std::max(0.0, realised(stock, j, k));
      extraction_k[j] = realised(total, j, k);
      // γ c_ext Q / max(S, S_min): how fast extraction raises every later unit cost [M$/t per yr].
      const double depleted = std::max(stock_k[j], r.min_stock);
      const double extraction_cost = r.extraction_cost * std::pow(r.stock / depleted, r.stock_exponent);
      stock_source[j] = r.stock_exponent * extraction_cost * extraction_k[j] / depleted;
    }
    // A renewable stock has no exhaustion date; a finite one is measured where the run expected it to end.
    const double expected_exhaustion = previous != nullptr ? previous->exhaustion_date(k) : INF;
    const double exhausted = r.regeneration_rate > 0.0 ? INF
                                                       : exhaustion_date(times, stock_k, extraction_k,
                                                                         r.min_stock, expected_exhaustion);
    path.exhaustion_discount[k] =
        std::isfinite(exhausted) ? std::exp(-path.reference_rate * (exhausted - sc.start_year)) : 0.0;
    // Values at the exhaustion date (the end of the grid when it lies beyond).
    const double t_exhausted = std::min(exhausted, times.back());
    const std::size_t segment_exhausted = segment_at(segments, t_exhausted);
    const double choke_price = interpolate(times, t_exhausted, [&](std::size_t j) {
      const double cap = realised(backstop_price, j, k);
      return std::isfinite(cap) ? cap : realised(price, j, k);
    });

    for (std::size_t i = 0; i < n; ++i) {
      const Actor& a = sc.actors[i];
      const std::size_t ik = i * m + k;
      for (std::size_t j = 0; j < nodes; ++j) {
        const legal::ActorTitle t = title(segment_of[j], i);
        const double p = realised(price, j, k);
        const double c = realised(unit_cost, j, ik);
        const double k_now = realised(capacity, j, ik);
        const double q = realised(extraction, j, ik);
        // Idle capacity earns nothing (§3.5); a plant not yet built would run at
        // the availability when well in the money and stand idle out of it, with
        // the eligibility band of §3.4 between, so the update is continuous.
        double utilisation;
        if (k_now > 0.0)
          utilisation = q / k_now;
        else {
          const double marginal = (c + realised(user_cost, j, ik)) / (1.0 - t.royalty_rate);
          const double in_money = std::clamp((p - marginal) / (sc.economy.eligibility_band * p), 0.0, 1.0);
          utilisation = in_money * stock_k[j] / (stock_k[j] + r.min_stock);
        }
        margin[j] =
            ((1.0 - t.royalty_rate) * p - c) * utilisation - r.operations_mass * realised(launch_cost, j, i);
        const double loss =
            r.depreciation + sc.economy.debris_capacity_loss * realised(debris, j, 0) / sc.debris.reference;
        const double construction =
            a.discount_rate + sc.economy.title_risk_premium * (1.0 - t.effective_property_security) +
            sc.economy.tension_risk_premium * std::clamp(realised(tension, j, 0), 0.0, 1.0);
        required[j] = construction + loss;
        building_rate[j] = construction + 1.0 / build_lag(segment_of[j], i, k);
        own_rate[j] = a.discount_rate;
      }
      const std::size_t last = nodes - 1;
      const double lag_last = build_lag(segment_of[last], i, k);
      const double construction_last = building_rate[last] - 1.0 / lag_last; // r̂ − δ at the end
      const std::vector<double> installed =
          discount_backward(times, required, margin, installed_plant_value(margin[last], required[last]));
      const std::vector<double> unit = discount_backward(times, required, ones, 1.0 / required[last]);
      for (std::size_t j = 0; j < nodes; ++j) {
        const double lag = build_lag(segment_of[j], i, k);
        installed_source[j] = installed[j] / lag;
        annuity_source[j] = unit[j] / lag;
      }
      const std::vector<double> started =
          discount_backward(times, building_rate, installed_source,
                            pipeline_plant_value(installed[last], construction_last, lag_last));
      const std::vector<double> annuity =
          discount_backward(times, building_rate, annuity_source,
                            pipeline_plant_value(unit[last], construction_last, lag_last));
      std::vector<double> stock_rent(nodes, 0.0);
      if (r.stock_exponent > 0.0)
        stock_rent = discount_backward(times, own_rate, stock_source,
                                       a.discount_rate > 0.0 ? stock_source[last] / a.discount_rate : 0.0);
      for (std::size_t j = 0; j < nodes; ++j) {
        path.installed_value[j * nm + ik] = installed[j];
        path.installed_annuity[j * nm + ik] = unit[j];
        path.start_value[j * nm + ik] = started[j];
        path.start_annuity[j * nm + ik] = annuity[j];
        path.stock_rent[j * nm + ik] = stock_rent[j];
      }
      // The last tonne earns the choke price less its cost, net of royalty (§3.15).
      const double cost_exhausted =
          interpolate(times, t_exhausted, [&](std::size_t j) { return realised(unit_cost, j, ik); });
      const double royalty = title(segment_exhausted, i).royalty_rate;
      path.choke_margin[ik] = std::max(0.0, (1.0 - royalty) * choke_price - cost_exhausted);
    }
  }
  path.refresh();
  return path;
}

} // namespace arcm
