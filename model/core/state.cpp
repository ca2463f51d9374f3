#include "core/state.hpp"

namespace arcm {

StateLayout::StateLayout(std::size_t n_actors, std::size_t n_resources, std::size_t n_beneficiaries)
    : n_(n_actors), m_(n_resources), b_(n_beneficiaries) {
  using Shape = StateBlock::Shape;
  std::size_t next = 0;
  auto place = [&](std::size_t& offset, StateBlock block, std::size_t count) {
    offset = next;
    blocks_.push_back({block, next, count});
    next += count;
  };
  const std::size_t nm = n_ * m_;
  place(k_, {"capacity", "K", "t/yr", "operating extraction capacity", Shape::actor_resource}, nm);
  place(u_, {"pipeline", "U", "t/yr", "extraction capacity under construction", Shape::actor_resource}, nm);
  place(x_, {"launch_experience", "X", "t", "cumulative launched mass (launch experience)", Shape::actor},
        n_);
  place(v_, {"npv", "V", "M$", "discounted net cash flow of resource activity", Shape::actor}, n_);
  place(c_, {"extracted", "C", "t", "cumulative extraction", Shape::actor_resource}, nm);
  place(s_, {"stock", "S", "t", "remaining accessible stock", Shape::resource}, m_);
  place(
      p_,
      {"cumulative_profit", "Pi", "M$", "cumulative undiscounted profit of resource activity", Shape::actor},
      n_);
  place(g_, {"receipts", "G", "M$", "cumulative benefit-sharing receipts", Shape::beneficiary}, b_);
  place(d_, {"debris", "D", "count", "orbital debris objects larger than 10 cm", Shape::scalar}, 1);
  place(t_, {"tension", "T", "1", "diplomatic tension index (0 none, 1 open rivalry)", Shape::scalar}, 1);
  place(y_, {"royalties_paid", "Y_cum", "M$", "cumulative benefit-sharing royalties paid", Shape::actor}, n_);
  size_ = next;
}

std::string StateLayout::component_name(std::size_t index, const Scenario& scenario) const {
  for (const auto& placed : blocks_) {
    if (index < placed.offset || index >= placed.offset + placed.count) continue;
    const std::size_t local = index - placed.offset;
    std::string label = std::string(placed.block.name) + " " + placed.block.symbol;
    switch (placed.block.shape) {
    case StateBlock::Shape::actor_resource:
      return label + "[" + scenario.actors[local / m_].id + ", " + scenario.resources[local % m_].id + "]";
    case StateBlock::Shape::actor: return label + "[" + scenario.actors[local].id + "]";
    case StateBlock::Shape::resource: return label + "[" + scenario.resources[local].id + "]";
    case StateBlock::Shape::beneficiary: return label + "[" + scenario.beneficiaries[local].id + "]";
    case StateBlock::Shape::scalar: return label;
    }
  }
  return "component " + std::to_string(index);
}

StateVector initial_state(const Scenario& scenario, const StateLayout& layout) {
  StateVector x(layout.size(), 0.0);
  for (std::size_t i = 0; i < scenario.n_actors(); ++i) {
    const Actor& actor = scenario.actors[i];
    for (std::size_t k = 0; k < scenario.n_resources(); ++k) {
      x[layout.capacity(i, k)] = actor.initial_capacity.at(k);
      x[layout.pipeline(i, k)] = actor.initial_pipeline.at(k);
    }
    x[layout.experience(i)] = actor.launch_experience;
  }
  for (std::size_t k = 0; k < scenario.n_resources(); ++k) x[layout.stock(k)] = scenario.resources[k].stock;
  x[layout.debris()] = scenario.debris.initial;
  x[layout.tension()] = scenario.tension.initial;
  return x;
}

} // namespace arcm
