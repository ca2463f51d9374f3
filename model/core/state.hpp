// The layout of the ODE state vector (docs/model.md §2): named blocks of one flat
// std::vector<double>, so the right-hand side, the output and the error
// messages all speak of "K[spacex, water]" rather than of index 17.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace arcm {

using StateVector = std::vector<double>;

//! One named block of the state: its symbol, unit and shape.
struct StateBlock {
  const char* name;      //!< output name, e.g. "capacity"
  const char* symbol;    //!< symbol in docs/model.md, e.g. "K"
  const char* units;     //!< e.g. "t/yr"
  const char* long_name; //!< human description
  enum class Shape { actor_resource, actor, resource, beneficiary, scalar } shape;
};

//! Offsets of every block for a given number of actors N, resources M and
//! beneficiaries B. Blocks follow the table of docs/model.md §2, the extension last.
class StateLayout {
public:
  StateLayout() = default;
  StateLayout(std::size_t n_actors, std::size_t n_resources, std::size_t n_beneficiaries);

  std::size_t n_actors() const { return n_; }
  std::size_t n_resources() const { return m_; }
  std::size_t n_beneficiaries() const { return b_; }
  std::size_t size() const { return size_; }

  // Offsets of each block; element (i, k) of an actor × resource block is at offset + i*M + k.
  std::size_t capacity(std::size_t i, std::size_t k) const { return k_ + i * m_ + k; }  //!< K_ik [t/yr]
  std::size_t pipeline(std::size_t i, std::size_t k) const { return u_ + i * m_ + k; }  //!< U_ik [t/yr]
  std::size_t experience(std::size_t i) const { return x_ + i; }                        //!< X_i [t]
  std::size_t npv(std::size_t i) const { return v_ + i; }                               //!< V_i [M$]
  std::size_t extracted(std::size_t i, std::size_t k) const { return c_ + i * m_ + k; } //!< C_ik [t]
  std::size_t stock(std::size_t k) const { return s_ + k; }                             //!< S_k [t]
  std::size_t profit(std::size_t i) const { return p_ + i; }                            //!< Π_i [M$]
  std::size_t receipts(std::size_t b) const { return g_ + b; }                          //!< G_b [M$]
  std::size_t debris() const { return d_; }                                             //!< D [count]
  std::size_t tension() const { return t_; }                                            //!< T [-]
  std::size_t royalties_paid(std::size_t i) const {
    return y_ + i;
  } //!< extension: cumulative royalties paid [M$]

  //! Every block in storage order, with the offset of its first element.
  struct PlacedBlock {
    StateBlock block;
    std::size_t offset;
    std::size_t count;
  };
  const std::vector<PlacedBlock>& blocks() const { return blocks_; }

  //! A readable name for element `index`, e.g. "capacity K[spacex, water]".
  std::string component_name(std::size_t index, const Scenario& scenario) const;

private:
  std::size_t n_{0}, m_{0}, b_{0}, size_{0};
  std::size_t k_{0}, u_{0}, x_{0}, v_{0}, c_{0}, s_{0}, p_{0}, g_{0}, d_{0}, t_{0}, y_{0};
  std::vector<PlacedBlock> blocks_;
};

//! The initial state of a scenario (docs/model.md §2: V = Π = C = G = 0).
StateVector initial_state(const Scenario& scenario, const StateLayout& layout);

} // namespace arcm
