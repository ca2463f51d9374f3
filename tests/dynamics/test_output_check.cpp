// The check that fails a run whose outputs hold a non-finite value
// (dynamics/output_check.cpp), on hand-made results: every kind of
// non-finite value at every position of a variable must be found, and the
// extremes of the finite range must not be.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "dynamics/output_check.hpp"

using namespace arcm;

namespace {

// Two output years, two resources, one trajectory and one summary variable.
RunResults two_years(std::vector<double> price, std::vector<double> final_price) {
  RunResults r;
  r.time = {2025.0, 2026.0};
  r.resource = {"water", "pgm"};
  r.status = RunStatus::ok;
  r.stop_time = 2026.0;
  r.trajectories.push_back({"price", "market price", "M$/t", {"time", "resource"}, std::move(price)});
  r.summary.push_back(
      {"price_final", "market price at the end", "M$/t", {"resource"}, std::move(final_price)});
  return r;
}

} // namespace

TEST_CASE("Every non-finite value at every position of an output fails the run, naming it",
          "[output_check]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const double signalling = std::numeric_limits<double>::signaling_NaN();
  const double negative_nan = -nan;
  for (double bad : {nan, signalling, negative_nan, inf, -inf}) {
    for (std::size_t at = 0; at < 4; ++at) {
      std::vector<double> price{1.0, 2.0, 3.0, 4.0};
      price[at] = bad;
      RunResults r = two_years(price, {3.0, 4.0});
      fail_on_non_finite_outputs(r);
      INFO("value " << bad << " at " << at);
      CHECK(r.status == RunStatus::failed);
      CHECK(r.message.find("in output 'price'") != std::string::npos);
      CHECK(r.message.find(at < 2 ? "at year 2025" : "at year 2026") != std::string::npos);
      CHECK(r.message.find(at % 2 == 0 ? "resource water" : "resource pgm") != std::string::npos);
    }
  }
  RunResults in_summary = two_years({1.0, 2.0, 3.0, 4.0}, {3.0, -inf});
  fail_on_non_finite_outputs(in_summary);
  CHECK(in_summary.status == RunStatus::failed);
  CHECK(in_summary.message.find("non-finite value (-inf) in output 'price_final'") != std::string::npos);
}

TEST_CASE("Finite extremes, expected infinities and values after a Kessler stop pass", "[output_check]") {
  const double largest = std::numeric_limits<double>::max();
  const double tiniest = std::numeric_limits<double>::denorm_min();
  RunResults extremes = two_years({largest, -largest, tiniest, -0.0}, {-tiniest, 0.0});
  fail_on_non_finite_outputs(extremes);
  CHECK(extremes.status == RunStatus::ok);
  CHECK(extremes.message.empty());

  // A resource without a backstop has an infinite backstop price.
  RunResults no_backstop = two_years({1.0, 2.0, 3.0, 4.0}, {3.0, 4.0});
  const double inf = std::numeric_limits<double>::infinity();
  no_backstop.trajectories.push_back(
      {"backstop_price", "backstop price cap", "M$/t", {"time", "resource"}, {inf, 5.0, inf, 5.0}});
  fail_on_non_finite_outputs(no_backstop);
  CHECK(no_backstop.status == RunStatus::ok);

  // Rows after a Kessler stop hold NaN.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  RunResults kessler = two_years({1.0, 2.0, nan, nan}, {1.0, 2.0});
  kessler.status = RunStatus::kessler;
  kessler.stop_time = 2025.5;
  fail_on_non_finite_outputs(kessler);
  CHECK(kessler.status == RunStatus::kessler);
}
