// PRIM recovering a box planted in synthetic data.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "analysis/prim.hpp"
#include "sweep/designs.hpp"
#include "sweep/random.hpp"

using namespace arcm;
using namespace arcm::analysis;
using Catch::Matchers::WithinAbs;

namespace {

// n Latin-hypercube points in [0, 1]^5 and whether each lies in the planted
// box 0.2 <= x0 <= 0.6, 0.5 <= x2 <= 0.9 (mass 0.16); a share `noise` of
// the labels is flipped at random.
struct Planted {
  std::vector<double> x;
  std::vector<char> interest;
};

Planted planted_box(std::size_t n, double noise, std::uint64_t seed) {
  const std::size_t d = 5;
  const sweep::LatinHypercubeDesign design(
      std::vector<sweep::Distribution>(d, sweep::Distribution::uniform(0, 1)), n, seed);
  Planted p;
  p.x.resize(n * d);
  for (std::size_t i = 0; i < n; ++i) {
    design.values(i, &p.x[i * d]);
    const double* x = &p.x[i * d];
    const bool in = x[0] >= 0.2 && x[0] <= 0.6 && x[2] >= 0.5 && x[2] <= 0.9;
    const bool flip = sweep::uniform01(seed, i, 99) < noise;
    p.interest.push_back(static_cast<char>(in != flip));
  }
  return p;
}

} // namespace

TEST_CASE("PRIM recovers a planted box in clean data", "[prim]") {
  const Planted p = planted_box(4000, 0.0, 11);
  const PrimResult r = prim(p.x, 5, p.interest, PrimOptions{});
  const PrimBox& box = r.chosen;
  INFO("chosen step " << r.chosen_step << " of " << r.trajectory.size() << ": coverage " << box.coverage
                      << ", density " << box.density);
  CHECK_THAT(r.base_density, WithinAbs(0.16, 0.01));
  // Exactly the two planted dimensions restricted.
  CHECK(box.is_restricted == std::vector<char>{1, 0, 1, 0, 0});
  // Bounds are data values, so within one point spacing (1/4000) of the
  // planted ones plus what peeling in steps of 5 % can miss and pasting
  // does not restore: 0.02 in parameter units.
  CHECK_THAT(box.low[0], WithinAbs(0.2, 0.02));
  CHECK_THAT(box.high[0], WithinAbs(0.6, 0.02));
  CHECK_THAT(box.low[2], WithinAbs(0.5, 0.02));
  CHECK_THAT(box.high[2], WithinAbs(0.9, 0.02));
  // The chosen box may be up to density_slack (0.02) less dense than the
  // densest one (which is exactly the planted box, density 1).
  CHECK(box.density >= 1.0 - PrimOptions{}.density_slack);
  CHECK(box.coverage >= 0.95);
  // Dropping a planted restriction lets in a slab of non-interest cases;
  // the unrestricted parameters have nothing to drop (NaN).
  CHECK(r.density_without[0] < 0.7);
  CHECK(r.density_without[2] < 0.7);
  CHECK(std::isnan(r.density_without[1]));
  // The trajectory starts with every case and never gains mass.
  CHECK(r.trajectory.front().mass == 1.0);
  CHECK(r.trajectory.front().coverage == 1.0);
  for (std::size_t s = 1; s < r.trajectory.size(); ++s)
    CHECK(r.trajectory[s].mass < r.trajectory[s - 1].mass);
  CHECK(r.trajectory.back().mass >= 0.05);
}

TEST_CASE("PRIM finds a planted box in noisy data", "[prim]") {
  // 5 % of the labels flipped: the box's density is about 0.95 inside and
  // 0.05 outside, so the best box is still the planted one.
  const Planted p = planted_box(4000, 0.05, 12);
  const PrimResult r = prim(p.x, 5, p.interest, PrimOptions{});
  const PrimBox& box = r.chosen;
  INFO("coverage " << box.coverage << ", density " << box.density << ", restricted " << box.restricted);
  CHECK(box.is_restricted[0] == 1);
  CHECK(box.is_restricted[2] == 1);
  CHECK_THAT(box.low[0], WithinAbs(0.2, 0.05));
  CHECK_THAT(box.high[0], WithinAbs(0.6, 0.05));
  CHECK_THAT(box.low[2], WithinAbs(0.5, 0.05));
  CHECK_THAT(box.high[2], WithinAbs(0.9, 0.05));
  CHECK(box.density >= 0.85);
  CHECK(box.coverage >= 0.6);
  // The noise dimensions, if touched at all, keep most of their range.
  for (std::size_t j : {1, 3, 4}) CHECK(box.high[j] - box.low[j] >= 0.85);
}

TEST_CASE("PRIM refuses bad options and data without cases of interest", "[prim]") {
  const Planted p = planted_box(100, 0.0, 1);
  PrimOptions bad;
  bad.peel_alpha = 0.6;
  CHECK_THROWS_WITH(prim(p.x, 5, p.interest, bad), Catch::Contains("peel_alpha"));
  const std::vector<char> none(100, 0);
  CHECK_THROWS_WITH(prim(p.x, 5, none, PrimOptions{}), Catch::Contains("no case is of interest"));
}
