#include "dynamics/outputs.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/variables.hpp"
#include "dynamics/valuation.hpp"

namespace arcm {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

//! What a row filler sees: the scenario, the state and the evaluated system.
struct RowContext {
  const Scenario& scenario;
  const StateLayout& layout;
  const StateVector& x;
  const Workspace& w;
  const ArcmSystem& system;
  double t;
};

using RowFiller = std::function<void(const RowContext&, double*)>;

} // namespace

struct CatalogEntry {
  TrajectoryVariableInfo info;
  RowFiller fill;
};

namespace {

double safe_ratio(double num, double den) {
  return den > 0.0 ? num / den : 0.0;
}

// C_ik for the shares of cumulative extraction, at least 0: an interpolated
// output can put a plant's first extraction a rounding error below 0, which
// would make a share slightly negative.
double cumulative_extraction(const RowContext& c, std::size_t i, std::size_t k) {
  return std::max(0.0, c.x[c.layout.extracted(i, k)]);
}

// Gains of beneficiary b (docs/model.md §3.12): receipts, plus the profit of the state actor it is.
double gains_of(const RowContext& c, std::size_t b) {
  const Beneficiary& ben = c.scenario.beneficiaries[b];
  const double gains = c.x[c.layout.receipts(b)];
  if (ben.actor < 0) return gains;
  return std::max(0.0, gains + c.x[c.layout.profit(static_cast<std::size_t>(ben.actor))]);
}

// Weighted Gini coefficient of per-capita gains over beneficiaries (§3.12).
// Gains are recomputed in the double loop rather than stored, so recording
// an output row allocates nothing (B is small).
double gini_of_gains(const RowContext& c) {
  const std::vector<Beneficiary>& bens = c.scenario.beneficiaries;
  double total_gains = 0.0;
  for (std::size_t b = 0; b < bens.size(); ++b)
    if (bens[b].weight > 0.0) total_gains += gains_of(c, b); // no population, no per-capita gain
  if (total_gains <= 0.0) return 0.0;
  double mean_abs_difference = 0.0;
  for (std::size_t a = 0; a < bens.size(); ++a) {
    if (bens[a].weight <= 0.0) continue;
    const double per_capita_a = gains_of(c, a) / bens[a].weight;
    for (std::size_t b = 0; b < bens.size(); ++b) {
      if (bens[b].weight <= 0.0) continue;
      mean_abs_difference +=
          bens[a].weight * bens[b].weight * std::fabs(per_capita_a - gains_of(c, b) / bens[b].weight);
    }
  }
  // Σ w y = total gains because the weights sum to 1.
  return mean_abs_difference / (2.0 * total_gains);
}

// The value of the capacity and pipeline each actor has standing at t,
// discounted to t0 at its discount rate (docs/model.md §3.12, "Terminal
// value"): what the activity would be worth if the run ended at t.
void standing_value(const RowContext& c, double* out) {
  const std::size_t n = c.scenario.n_actors(), m = c.scenario.n_resources();
  const double elapsed = c.t - c.scenario.start_year;
  for (std::size_t i = 0; i < n; ++i) {
    double value = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t ik = i * m + k;
      // Perfect foresight values a plant along the expected path (§3.15).
      const bool foresight = c.system.expected() != nullptr;
      const double installed = foresight
                                   ? c.w.installed_value[ik]
                                   : installed_plant_value(c.w.plant_margin[ik], c.w.required_return[ik]);
      const double building =
          foresight ? c.w.pipeline_value[ik]
                    : pipeline_plant_value(installed, c.w.required_return[ik] - c.w.capacity_loss[k],
                                           c.system.build_lag(ik));
      value += c.w.capacity[ik] * installed + c.w.pipeline[ik] * building;
    }
    out[i] = std::exp(-c.scenario.actors[i].discount_rate * elapsed) * value;
  }
}

// The catalog does not depend on the scenario's size: the state blocks' fill
// functions find their offsets in the row context's layout. It is built once
// per process (see catalog()), so a run's set-up allocates none of it. The
// variables and their order are core/variables.cpp's; each is paired here,
// by name, with the code that fills one row of it.
std::vector<CatalogEntry> build_catalog() {
  const std::vector<TrajectoryVariableInfo>& variables = trajectory_variables();
  std::vector<CatalogEntry> cat;
  auto fill = [&](const char* name, RowFiller filler) {
    const std::size_t at = cat.size();
    if (at >= variables.size() || variables[at].name != name)
      throw std::logic_error(std::string("dynamics/outputs.cpp fills '") + name +
                             "' where core/variables.cpp lists '" +
                             (at < variables.size() ? variables[at].name : std::string("nothing")) + "'");
    cat.push_back({variables[at], std::move(filler)});
  };

  // Every state block, copied as it is (docs/model.md §2).
  const StateLayout layout(1, 1, 1); // only the blocks' order and names are read
  for (std::size_t block = 0; block < layout.blocks().size(); ++block) {
    // The right-hand side reads these blocks as max(0, x); an integration
    // error can take them a little below zero (about the absolute tolerance),
    // which is recorded as the 0 the model uses, not as a negative quantity.
    const std::string name = layout.blocks()[block].block.name;
    const bool nonnegative = name == "capacity" || name == "pipeline" || name == "stock" ||
                             name == "debris" || name == "launch_experience";
    fill(layout.blocks()[block].block.name, [block, nonnegative](const RowContext& c, double* out) {
      const std::size_t offset = c.layout.blocks()[block].offset;
      const std::size_t count = c.layout.blocks()[block].count;
      std::copy(c.x.begin() + static_cast<std::ptrdiff_t>(offset),
                c.x.begin() + static_cast<std::ptrdiff_t>(offset + count), out);
      if (nonnegative)
        for (std::size_t j = 0; j < count; ++j) out[j] = std::max(0.0, out[j]);
    });
  }
  auto copy_vector = [](const std::vector<double> Workspace::*member) {
    return [member](const RowContext& c, double* out) {
      std::copy((c.w.*member).begin(), (c.w.*member).end(), out);
    };
  };
  fill("price", copy_vector(&Workspace::price));
  fill("demand", copy_vector(&Workspace::demand));
  fill("fringe_supply", copy_vector(&Workspace::fringe));
  fill("backstop_supply", copy_vector(&Workspace::backstop));
  fill("backstop_price", copy_vector(&Workspace::backstop_price));
  fill("extraction", copy_vector(&Workspace::extraction));
  fill("revenue", copy_vector(&Workspace::revenue));
  fill("royalty", copy_vector(&Workspace::royalty));
  fill("profit_rate", copy_vector(&Workspace::profit));
  fill("investment", copy_vector(&Workspace::investment));
  fill("unit_cost", copy_vector(&Workspace::unit_cost));
  fill("user_cost", copy_vector(&Workspace::user_cost));
  fill("capital_cost", copy_vector(&Workspace::capital_cost));
  fill("launch_cost", copy_vector(&Workspace::launch_cost));
  fill("launched_mass", copy_vector(&Workspace::launched_mass));
  fill("tension_target", [](const RowContext& c, double* out) { out[0] = c.w.tension_target; });

  // Division indicators (docs/model.md §3.12).
  auto kind_share_now = [](ActorKind kind) {
    return [kind](const RowContext& c, double* out) {
      const std::size_t n = c.scenario.n_actors(), m = c.scenario.n_resources();
      for (std::size_t k = 0; k < m; ++k) {
        double total = 0.0, of_kind = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          total += c.w.extraction[i * m + k];
          if (c.scenario.actors[i].kind == kind) of_kind += c.w.extraction[i * m + k];
        }
        out[k] = safe_ratio(of_kind, total);
      }
    };
  };
  fill("state_share_extraction", kind_share_now(ActorKind::state));
  fill("firm_share_extraction", kind_share_now(ActorKind::firm));
  fill("total_extraction", [](const RowContext& c, double* out) {
    const std::size_t n = c.scenario.n_actors(), m = c.scenario.n_resources();
    for (std::size_t k = 0; k < m; ++k) {
      out[k] = 0.0;
      for (std::size_t i = 0; i < n; ++i) out[k] += c.w.extraction[i * m + k];
    }
  });
  fill("cumulative_share_by_kind", [](const RowContext& c, double* out) {
    const std::size_t n = c.scenario.n_actors(), m = c.scenario.n_resources();
    for (std::size_t k = 0; k < m; ++k) {
      double total = 0.0, states = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double cum = cumulative_extraction(c, i, k);
        total += cum;
        if (c.scenario.actors[i].kind == ActorKind::state) states += cum;
      }
      out[0 * m + k] = safe_ratio(states, total);
      out[1 * m + k] = safe_ratio(total - states, total);
    }
  });
  fill("cumulative_share_by_bloc", [](const RowContext& c, double* out) {
    const std::size_t n = c.scenario.n_actors(), m = c.scenario.n_resources();
    const std::size_t nb = c.scenario.blocs.size();
    for (std::size_t k = 0; k < m; ++k) {
      double total = 0.0;
      for (std::size_t i = 0; i < n; ++i) total += cumulative_extraction(c, i, k);
      for (std::size_t b = 0; b < nb; ++b) {
        double of_bloc = 0.0;
        for (std::size_t i = 0; i < n; ++i)
          if (c.scenario.actors[i].bloc == static_cast<int>(b)) of_bloc += cumulative_extraction(c, i, k);
        out[b * m + k] = safe_ratio(of_bloc, total);
      }
    }
  });
  fill("hhi", [](const RowContext& c, double* out) {
    const std::size_t n = c.scenario.n_actors(), m = c.scenario.n_resources();
    for (std::size_t k = 0; k < m; ++k) {
      double total = 0.0;
      for (std::size_t i = 0; i < n; ++i) total += c.w.extraction[i * m + k];
      double hhi = 0.0;
      if (total > 0.0)
        for (std::size_t i = 0; i < n; ++i) {
          const double s = c.w.extraction[i * m + k] / total;
          hhi += s * s;
        }
      out[k] = hhi;
    }
  });
  fill("gini", [](const RowContext& c, double* out) { out[0] = gini_of_gains(c); });
  fill("terminal_value", [](const RowContext& c, double* out) { standing_value(c, out); });
  fill("activity_value", [](const RowContext& c, double* out) {
    standing_value(c, out);
    for (std::size_t i = 0; i < c.scenario.n_actors(); ++i) out[i] += c.x[c.layout.npv(i)];
  });
  if (cat.size() != variables.size())
    throw std::logic_error("dynamics/outputs.cpp fills " + std::to_string(cat.size()) +
                           " trajectory variables, core/variables.cpp lists " +
                           std::to_string(variables.size()));
  return cat;
}

//! Every trajectory variable, built on first use (thread-safe: a function-local static).
const std::vector<CatalogEntry>& catalog() {
  static const std::vector<CatalogEntry> entries = build_catalog();
  return entries;
}

std::size_t dim_size(const Scenario& sc, const std::string& dim) {
  if (dim == "actor") return sc.n_actors();
  if (dim == "resource") return sc.n_resources();
  if (dim == "beneficiary") return sc.n_beneficiaries();
  if (dim == "bloc") return sc.blocs.size();
  if (dim == "kind") return 2;
  throw Error("unknown dimension " + dim);
}

} // namespace

std::vector<double> output_grid(const Scenario& scenario) {
  const double span = scenario.end_year - scenario.start_year;
  const auto steps = static_cast<long>(std::llround(span / scenario.output.step));
  std::vector<double> grid(static_cast<std::size_t>(steps) + 1);
  for (long j = 0; j <= steps; ++j)
    grid[static_cast<std::size_t>(j)] = scenario.start_year + static_cast<double>(j) * scenario.output.step;
  grid.back() = scenario.end_year; // exact end, free of rounding
  return grid;
}

TrajectoryRecorder::TrajectoryRecorder(const Scenario& scenario, const StateLayout& layout)
    : scenario_(scenario), layout_(layout), times_(output_grid(scenario)), entries_(catalog()) {
  for (const auto& entry : entries_) {
    std::size_t size = 1;
    for (const auto& dim : entry.info.dims) size *= dim_size(scenario, dim);
    row_size_.push_back(size);
    data_.emplace_back(size * times_.size(), NaN);
    final_.emplace_back(size, NaN);
  }
  recorded_.assign(times_.size(), false);
  scratch_derivative_.assign(layout.size(), 0.0);
  slots_.resize(entries_.size());
}

TrajectoryRecorder::~TrajectoryRecorder() = default;

void TrajectoryRecorder::write_row(double t, const StateVector& x, const ArcmSystem& system) {
  system(x, scratch_derivative_, t); // refreshes the workspace at (x, t)
  const RowContext context{scenario_, layout_, x, system.workspace(), system, t};
  for (std::size_t v = 0; v < entries_.size(); ++v) entries_[v].fill(context, slots_[v]);
}

void TrajectoryRecorder::record(std::size_t row, double t, const StateVector& x, const ArcmSystem& system) {
  for (std::size_t v = 0; v < data_.size(); ++v) slots_[v] = data_[v].data() + row * row_size_[v];
  write_row(t, x, system);
  recorded_[row] = true;
}

void TrajectoryRecorder::record_final(double t, const StateVector& x, const ArcmSystem& system) {
  for (std::size_t v = 0; v < final_.size(); ++v) slots_[v] = final_[v].data();
  write_row(t, x, system);
  has_final_ = true;
  final_time_ = t;
}

} // namespace arcm

namespace arcm {

void TrajectoryRecorder::finish(RunResults& results, double stop_time) {
  const Scenario& sc = scenario_;
  results.time = times_;
  results.actor.clear();
  results.actor_kind.clear();
  results.actor_bloc.clear();
  for (const Actor& a : sc.actors) {
    results.actor.push_back(a.id);
    results.actor_kind.push_back(a.kind == ActorKind::state ? "state" : "firm");
    results.actor_bloc.push_back(a.bloc >= 0 ? sc.blocs[static_cast<std::size_t>(a.bloc)] : "");
  }
  results.resource.clear();
  for (const Resource& r : sc.resources) results.resource.push_back(r.id);
  results.beneficiary.clear();
  for (const Beneficiary& b : sc.beneficiaries) results.beneficiary.push_back(b.id);
  results.bloc = sc.blocs;
  results.kind = {"state", "firm"};
  results.stop_time = stop_time;

  // The final row of each variable: at the stop time when the run stopped
  // early, else the last output row.
  auto index_of = [&](const std::string& name) {
    for (std::size_t v = 0; v < entries_.size(); ++v)
      if (entries_[v].info.name == name) return v;
    throw Error("no trajectory variable " + name);
  };
  std::size_t last_row = times_.size();
  while (last_row > 0 && !recorded_[last_row - 1]) --last_row;
  auto final_row = [&](const std::string& name) -> std::vector<double> {
    const std::size_t v = index_of(name);
    if (has_final_) return final_[v];
    if (last_row == 0) return std::vector<double>(row_size_[v], NaN);
    const auto begin = data_[v].begin() + static_cast<std::ptrdiff_t>((last_row - 1) * row_size_[v]);
    return std::vector<double>(begin, begin + static_cast<std::ptrdiff_t>(row_size_[v]));
  };
  const std::size_t m = sc.n_resources();

  results.summary.clear();
  auto add = [&](std::string name, std::string long_name, std::string units, std::vector<std::string> dims,
                 std::vector<double> data) {
    results.summary.push_back(
        {std::move(name), std::move(long_name), std::move(units), std::move(dims), std::move(data)});
  };
  add("stop_time", "year the run ended", "year", {}, {stop_time});
  add("tension_final", "tension at the end of the run", "1", {}, final_row("tension"));
  {
    const std::size_t v = index_of("tension");
    double peak = has_final_ ? final_[v][0] : -INFINITY;
    for (std::size_t row = 0; row < last_row; ++row) peak = std::max(peak, data_[v][row]);
    add("tension_peak", "highest tension on the output grid and at the stop time", "1", {},
        {std::isfinite(peak) ? peak : NaN});
  }
  add("debris_final", "debris objects at the end of the run", "count", {}, final_row("debris"));
  add("gini_final", "Gini coefficient of per-capita gains at the end of the run", "1", {}, final_row("gini"));
  add("price_final", "market price at the end of the run", "M$/t", {"resource"}, final_row("price"));
  {
    const std::vector<double> by_kind = final_row("cumulative_share_by_kind");
    add("state_share_cumulative_final", "states' share of cumulative extraction at the end of the run", "1",
        {"resource"}, std::vector<double>(by_kind.begin(), by_kind.begin() + static_cast<std::ptrdiff_t>(m)));
  }
  add("bloc_share_cumulative_final", "blocs' shares of cumulative extraction at the end of the run", "1",
      {"bloc", "resource"}, final_row("cumulative_share_by_bloc"));
  {
    const std::vector<double> extracted = final_row("extracted");
    std::vector<double> total(m, 0.0);
    for (std::size_t i = 0; i < sc.n_actors(); ++i)
      for (std::size_t k = 0; k < m; ++k) total[k] += extracted[i * m + k];
    add("extracted_total_final", "cumulative extraction by all actors at the end of the run", "t",
        {"resource"}, total);
  }
  add("npv_final", "discounted net cash flow of resource activity at the end of the run", "M$", {"actor"},
      final_row("npv"));
  add("terminal_value_final",
      "value of the capacity and pipeline standing at the end of the run, discounted to t0", "M$", {"actor"},
      final_row("terminal_value"));
  add("activity_value_final", "value of the activity at the end of the run: npv_final + terminal_value_final",
      "M$", {"actor"}, final_row("activity_value"));
  add("cumulative_profit_final", "cumulative undiscounted profit at the end of the run", "M$", {"actor"},
      final_row("cumulative_profit"));
  add("capacity_final", "operating capacity at the end of the run", "t/yr", {"actor", "resource"},
      final_row("capacity"));
  {
    const std::vector<double> paid = final_row("royalties_paid");
    double total = 0.0;
    for (double v : paid) total += v;
    add("royalties_total_final", "cumulative benefit-sharing royalties paid by all actors", "M$", {},
        {total});
  }
  {
    // First output year in which firms out-extract states while total
    // extraction exceeds 1 % of demand (§3.13).
    const std::size_t firm = index_of("firm_share_extraction"), state = index_of("state_share_extraction");
    const std::size_t total = index_of("total_extraction"), demand = index_of("demand");
    std::vector<double> year(m, NaN);
    for (std::size_t k = 0; k < m; ++k)
      for (std::size_t row = 0; row < last_row; ++row) {
        const std::size_t at = row * m + k;
        if (data_[firm][at] > data_[state][at] && data_[total][at] > 0.01 * data_[demand][at]) {
          year[k] = times_[row];
          break;
        }
      }
    add("firm_overtake_year", "first output year firms out-extract states with extraction above 1% of demand",
        "year", {"resource"}, year);
  }
  // Trajectories: all, or the scenario's selection, in catalog order; moved
  // out last, as the summary above reads them.
  results.trajectories.clear();
  const auto& wanted = sc.output.variables;
  for (std::size_t v = 0; v < entries_.size(); ++v) {
    const auto& info = entries_[v].info;
    const bool selected =
        sc.output.all_variables || std::find(wanted.begin(), wanted.end(), info.name) != wanted.end();
    if (!selected) continue;
    Variable var{info.name, info.long_name, info.units, {"time"}, std::move(data_[v])};
    var.dims.insert(var.dims.end(), info.dims.begin(), info.dims.end());
    results.trajectories.push_back(std::move(var));
  }
}

} // namespace arcm
