// Quantile functions against closed forms and Boost.Math, bounds and validation.
#include "sweep/distributions.hpp"

#include "core/errors.hpp"

#include <catch2/catch.hpp>

#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace arcm::sweep;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
// Probabilities from the extremes uniform01 can produce (2^-53 and 1 - 2^-53)
// through the body of the distribution.
const std::vector<double> PROBABILITIES = {
    std::ldexp(1.0, -53),    1e-12, 1e-6, 0.001, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 0.999, 1 - 1e-6,
    1 - std::ldexp(1.0, -53)};
} // namespace

TEST_CASE("uniform and loguniform quantiles are the closed forms", "[sweep][distributions]") {
  const auto u = Distribution::uniform(2.0, 6.0);
  CHECK(u.quantile(0.25) == 3.0);
  CHECK(u.quantile(0.0) == 2.0);
  CHECK(u.quantile(1.0) == 6.0);
  CHECK(u.lower_bound() == 2.0);
  CHECK(u.upper_bound() == 6.0);

  const auto lu = Distribution::loguniform(1e-3, 1e1);
  // ln x uniform over 4 decades: the quartiles are 1e-2, 1e-1, 1.
  CHECK_THAT(lu.quantile(0.25), WithinRel(1e-2, 1e-14));
  CHECK_THAT(lu.quantile(0.5), WithinRel(1e-1, 1e-14));
  CHECK_THAT(lu.quantile(0.75), WithinRel(1.0, 1e-14));
  CHECK(lu.quantile(0.0) == 1e-3);
  CHECK(lu.quantile(1.0) == 1e1);
}

TEST_CASE("normal and lognormal quantiles match Boost.Math and tables", "[sweep][distributions]") {
  const auto n = Distribution::normal(10.0, 2.0);
  // z_{0.975} = 1.959963984540054 (standard normal tables, e.g. Abramowitz & Stegun 26.2).
  CHECK_THAT(n.quantile(0.975), WithinRel(10.0 + 2.0 * 1.959963984540054, 1e-14));
  CHECK(n.quantile(0.5) == 10.0);
  CHECK(std::isinf(n.upper_bound()));
  CHECK(std::isinf(n.lower_bound()));
  // Against Boost's default (long-double-promoting) policy: our double-only
  // evaluation may differ by a few ulps, and loses relative precision only near
  // the median where the quantile itself is near mean; 1e-13 absolute on z.
  const boost::math::normal_distribution<double> standard(0.0, 1.0);
  const auto z = Distribution::normal(0.0, 1.0);
  for (double p : PROBABILITIES) {
    INFO("p = " << p);
    CHECK_THAT(z.quantile(p), WithinAbs(boost::math::quantile(standard, p), 1e-13));
  }

  const auto ln = Distribution::lognormal(3.0, 0.5);
  CHECK_THAT(ln.quantile(0.5), WithinRel(3.0, 1e-15));
  CHECK_THAT(ln.meanlog(), WithinRel(std::log(3.0), 1e-15));
  CHECK(ln.lower_bound() == 0.0);
  const boost::math::lognormal_distribution<double> reference(std::log(3.0), 0.5);
  for (double p : PROBABILITIES) {
    INFO("p = " << p);
    CHECK_THAT(ln.quantile(p), WithinRel(boost::math::quantile(reference, p), 1e-13));
  }
  const auto ln2 = Distribution::lognormal_meanlog(1.0, 0.25);
  CHECK_THAT(ln2.quantile(0.5), WithinRel(std::exp(1.0), 1e-15));
}

TEST_CASE("triangular quantile matches Boost.Math", "[sweep][distributions]") {
  for (double mode : {1.0, 2.5, 4.0}) { // the peak at either end, and inside
    INFO("mode = " << mode);
    const auto t = Distribution::triangular(1.0, mode, 4.0);
    const boost::math::triangular_distribution<double> reference(1.0, mode, 4.0);
    for (double p : PROBABILITIES)
      CHECK_THAT(t.quantile(p), WithinAbs(boost::math::quantile(reference, p), 1e-12));
    CHECK(t.quantile(0.0) == 1.0);
    CHECK(t.quantile(1.0) == 4.0);
  }
  // F(mode) = (mode - low) / (high - low) = 0.5 for the symmetric case.
  CHECK_THAT(Distribution::triangular(0.0, 1.0, 2.0).quantile(0.5), WithinAbs(1.0, 1e-15));
}

TEST_CASE("discrete quantile selects values by cumulative weight", "[sweep][distributions]") {
  const auto equal = Distribution::discrete({10.0, 20.0, 30.0, 40.0});
  CHECK(equal.quantile(0.1) == 10.0);
  CHECK(equal.quantile(0.25) == 20.0); // u in [W_{k-1}, W_k)
  CHECK(equal.quantile(0.74) == 30.0);
  CHECK(equal.quantile(0.99) == 40.0);
  CHECK(equal.quantile(1.0) == 40.0);
  CHECK(equal.lower_bound() == 10.0);
  CHECK(equal.upper_bound() == 40.0);

  const auto weighted = Distribution::discrete({5.0, -1.0, 7.0, 9.0}, {1.0, 3.0, 0.0, 0.0});
  CHECK(weighted.quantile(0.2) == 5.0);
  CHECK(weighted.quantile(0.3) == -1.0);
  CHECK(weighted.quantile(1 - 1e-16) == -1.0);
  CHECK(weighted.quantile(1.0) == -1.0); // zero-weight values are never returned
  CHECK(weighted.lower_bound() == -1.0);
  CHECK(weighted.upper_bound() == 5.0);
}

TEST_CASE("quantiles are monotone and stay inside the support", "[sweep][distributions]") {
  const std::vector<Distribution> all = {
      Distribution::uniform(-1.0, 1.0),        Distribution::loguniform(1e-6, 1e3),
      Distribution::normal(0.0, 1e-3),         Distribution::lognormal(2.0, 1.5),
      Distribution::triangular(0.0, 0.2, 1.0), Distribution::discrete({3.0, 1.0, 2.0}, {1.0, 2.0, 3.0})};
  for (const auto& d : all) {
    INFO(d.describe());
    double previous = -std::numeric_limits<double>::infinity();
    for (double p : PROBABILITIES) {
      const double x = d.quantile(p);
      CHECK(std::isfinite(x));
      CHECK(x >= d.lower_bound());
      CHECK(x <= d.upper_bound());
      if (d.kind() != Distribution::Kind::discrete) CHECK(x >= previous); // values need not be sorted
      previous = x;
    }
  }
}

TEST_CASE("invalid distributions are refused with a clear message", "[sweep][distributions]") {
  CHECK_THROWS_WITH(Distribution::uniform(2.0, 1.0), Contains("uniform") && Contains("low < high"));
  CHECK_THROWS_WITH(Distribution::uniform(1.0, 1.0), Contains("low < high"));
  CHECK_THROWS_WITH(Distribution::uniform(0.0, std::nan("")), Contains("finite"));
  CHECK_THROWS_WITH(Distribution::loguniform(0.0, 1.0), Contains("low > 0"));
  CHECK_THROWS_WITH(Distribution::normal(0.0, 0.0), Contains("sd > 0"));
  CHECK_THROWS_WITH(Distribution::normal(0.0, -1.0), Contains("sd > 0") && Contains("-1"));
  CHECK_THROWS_WITH(Distribution::lognormal(-1.0, 1.0), Contains("median > 0"));
  CHECK_THROWS_WITH(Distribution::lognormal(1.0, 0.0), Contains("sigma > 0"));
  CHECK_THROWS_WITH(Distribution::triangular(0.0, 2.0, 1.0), Contains("low <= mode <= high"));
  CHECK_THROWS_WITH(Distribution::triangular(0.0, -0.5, 1.0), Contains("mode"));
  CHECK_THROWS_WITH(Distribution::discrete({}), Contains("at least one value"));
  CHECK_THROWS_WITH(Distribution::discrete({1.0, 2.0}, {1.0, -1.0}),
                    Contains("weight 1") && Contains(">= 0"));
  CHECK_THROWS_WITH(Distribution::discrete({1.0, 2.0}, {0.0, 0.0}), Contains("positive"));
  CHECK_THROWS_WITH(Distribution::discrete({1.0, 2.0}, {1.0}), Contains("one weight per value"));
  CHECK_THROWS_AS(Distribution::uniform(2.0, 1.0), arcm::Error);
  // quantile itself refuses probabilities outside its domain.
  CHECK_THROWS_WITH(Distribution::normal(0.0, 1.0).quantile(0.0), Contains("(0, 1)"));
  CHECK_THROWS_WITH(Distribution::uniform(0.0, 1.0).quantile(1.5), Contains("[0, 1]"));
  CHECK_THROWS_AS(Distribution::uniform(0.0, 1.0).quantile(std::nan("")), arcm::Error);
}

TEST_CASE("describe names the distribution and its parameters", "[sweep][distributions]") {
  CHECK(Distribution::normal(1.0, 0.5).describe() == "normal(mean=1, sd=0.5)");
  CHECK(Distribution::triangular(0.0, 1.0, 3.0).describe() == "triangular(low=0, mode=1, high=3)");
  CHECK(Distribution::discrete({1.0, 2.0}).describe() == "discrete(values=[1, 2])");
}
