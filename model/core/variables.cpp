#include "core/variables.hpp"

#include "core/state.hpp"

namespace arcm {

namespace {

std::vector<TrajectoryVariableInfo> build_variables() {
  const std::vector<std::string> AR{"actor", "resource"}, A{"actor"}, R{"resource"}, B{"beneficiary"}, S{};
  std::vector<TrajectoryVariableInfo> v;

  // Every state block, as it is stored (docs/model.md §2).
  const StateLayout layout(1, 1, 1); // only the blocks' order, names and shapes are read
  for (const StateLayout::PlacedBlock& placed : layout.blocks()) {
    std::vector<std::string> dims;
    switch (placed.block.shape) {
    case StateBlock::Shape::actor_resource: dims = AR; break;
    case StateBlock::Shape::actor: dims = A; break;
    case StateBlock::Shape::resource: dims = R; break;
    case StateBlock::Shape::beneficiary: dims = B; break;
    case StateBlock::Shape::scalar: dims = S; break;
    }
    v.push_back({placed.block.name, placed.block.long_name, placed.block.units, dims});
  }

  // Derived outputs (docs/model.md §3.12).
  v.push_back({"price", "market price", "M$/t", R});
  v.push_back({"demand", "quantity demanded at the market price", "t/yr", R});
  v.push_back({"fringe_supply", "competitive fringe supply", "t/yr", R});
  v.push_back({"backstop_supply", "backstop supply (cap regime only)", "t/yr", R});
  v.push_back({"backstop_price", "backstop price cap (inf: no backstop)", "M$/t", R});
  v.push_back({"extraction", "extraction rate q", "t/yr", AR});
  v.push_back({"revenue", "gross revenue P q", "M$/yr", AR});
  v.push_back({"royalty", "benefit-sharing royalty paid", "M$/yr", AR});
  v.push_back({"profit_rate", "cash profit after royalty, operating and resupply costs", "M$/yr", AR});
  v.push_back({"investment", "investment in new capacity", "M$/yr", AR});
  v.push_back({"unit_cost", "unit extraction and transport cost c", "M$/t", AR});
  v.push_back({"user_cost", "internalised scarcity (user) cost mu", "M$/t", AR});
  v.push_back({"capital_cost", "capital cost of one t/yr of new capacity", "M$ yr/t", AR});
  v.push_back({"launch_cost", "launch cost paid per tonne to LEO", "M$/t", A});
  v.push_back({"launched_mass", "mass launched for the actor", "t/yr", A});
  v.push_back({"tension_target", "target tension T*", "1", S});
  // Division indicators.
  v.push_back({"state_share_extraction", "share of current extraction by states", "1", R});
  v.push_back({"firm_share_extraction", "share of current extraction by firms", "1", R});
  v.push_back({"total_extraction", "total extraction by all actors", "t/yr", R});
  v.push_back({"cumulative_share_by_kind",
               "share of cumulative extraction by actor kind",
               "1",
               {"kind", "resource"}});
  v.push_back(
      {"cumulative_share_by_bloc", "share of cumulative extraction by bloc", "1", {"bloc", "resource"}});
  v.push_back({"hhi", "Herfindahl-Hirschman index of extraction", "1", R});
  v.push_back({"gini", "weighted Gini coefficient of per-capita gains over beneficiaries", "1", S});
  // Value of the activity (docs/model.md §3.12, "Terminal value").
  v.push_back({"terminal_value", "value of the capacity and pipeline standing, discounted to t0", "M$", A});
  v.push_back({"activity_value", "value of the activity: npv plus terminal_value", "M$", A});
  return v;
}

} // namespace

const std::vector<TrajectoryVariableInfo>& trajectory_variables() {
  static const std::vector<TrajectoryVariableInfo> variables = build_variables();
  return variables;
}

std::vector<std::string> trajectory_variable_names() {
  std::vector<std::string> names;
  for (const TrajectoryVariableInfo& info : trajectory_variables()) names.push_back(info.name);
  return names;
}

} // namespace arcm
