// Sobol sequence (Joe-Kuo directions, Owen scrambling) and the Saltelli layout.
#include "sweep/designs.hpp"

#include "core/errors.hpp"
#include "sweep/sobol_directions.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace arcm::sweep;
using Catch::Matchers::Contains;

namespace {

std::vector<Distribution> uniforms(std::size_t d) {
  return std::vector<Distribution>(d, Distribution::uniform(0.0, 1.0));
}

//! Index of the elementary interval of length 2^-k holding u.
std::size_t cell(double u, int k) {
  return static_cast<std::size_t>(std::floor(std::ldexp(u, k)));
}

} // namespace

TEST_CASE("unscrambled Sobol points match the published sequence", "[sweep][sobol]") {
  const SobolSequence sobol(SOBOL_MAX_DIMENSION, SobolScrambling::none, 0);
  // Dimension 1 is van der Corput in Gray-code order: 0, 1/2, 3/4, 1/4, 3/8, ...
  const double vdc[] = {0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125};
  for (std::size_t i = 0; i < 8; ++i) CHECK(std::ldexp(sobol.digits(i, 0), -32) == vdc[i]);
  // Points 0..7 of dimensions 2..6 from scipy.stats.qmc.Sobol(d, scramble=False)
  // (SciPy 1.10, which uses new-joe-kuo-6.21201 in the same Gray-code order).
  const double expected[8][5] = {{0.0, 0.0, 0.0, 0.0, 0.0},           {0.5, 0.5, 0.5, 0.5, 0.5},
                                 {0.25, 0.25, 0.25, 0.75, 0.75},      {0.75, 0.75, 0.75, 0.25, 0.25},
                                 {0.375, 0.625, 0.875, 0.375, 0.125}, {0.875, 0.125, 0.375, 0.875, 0.625},
                                 {0.125, 0.875, 0.625, 0.625, 0.875}, {0.625, 0.375, 0.125, 0.125, 0.375}};
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t dim = 1; dim < 6; ++dim)
      CHECK(std::ldexp(sobol.digits(i, dim), -32) == expected[i][dim - 1]);
  // Deeper points and high dimensions, as 32-bit integers from the same SciPy
  // call with bits=32 (fast_forward for the far point); an error anywhere in
  // the direction table or the recurrence shows up here.
  CHECK(sobol.digits(100, 0) == 1778384896U);
  CHECK(sobol.digits(100, 1) == 1107296256U);
  CHECK(sobol.digits(100, 9) == 2986344448U);
  CHECK(sobol.digits(100, 32) == 1107296256U);
  CHECK(sobol.digits(100, 62) == 1979711488U);
  CHECK(sobol.digits(100, 63) == 2785017856U);
  CHECK(sobol.digits(4095, 0) == 1048576U);
  CHECK(sobol.digits(4095, 63) == 2377121792U);
  CHECK(sobol.digits(1234567, 0) == 599644160U);
  CHECK(sobol.digits(1234567, 1) == 2792044544U);
  CHECK(sobol.digits(1234567, 32) == 242046976U);
  CHECK(sobol.digits(1234567, 63) == 1614071808U);
  CHECK(sobol.digits(1234569, 63) == 808765440U);
}

TEST_CASE("Sobol coordinates stay inside (0, 1)", "[sweep][sobol]") {
  const SobolSequence plain(4, SobolScrambling::none, 0), scrambled(4, SobolScrambling::owen, 3);
  for (std::uint64_t i = 0; i < 1024; ++i)
    for (std::size_t dim = 0; dim < 4; ++dim) {
      for (double u : {plain.coordinate(i, dim), scrambled.coordinate(i, dim)}) {
        REQUIRE(u > 0.0);
        REQUIRE(u < 1.0);
      }
    }
  CHECK_THROWS_WITH(SobolSequence(65, SobolScrambling::none, 0), Contains("64"));
}

TEST_CASE("Sobol A and B are stratified in every 1-D projection", "[sweep][sobol]") {
  // For N = 2^k every one of the 2^k intervals [c/2^k, (c+1)/2^k) holds exactly
  // one point of each column of A and of B, scrambled or not (Owen's scramble
  // maps elementary intervals onto elementary intervals).
  const std::size_t d = 8;
  for (auto scrambling : {SobolScrambling::none, SobolScrambling::owen}) {
    for (int k : {0, 1, 5, 10}) {
      const std::size_t n = std::size_t{1} << k;
      INFO("N = " << n << ", scrambled = " << (scrambling == SobolScrambling::owen));
      const SobolSaltelliDesign design(uniforms(d), n, 42, 0, scrambling);
      std::vector<std::vector<int>> hits_a(d, std::vector<int>(n, 0)), hits_b = hits_a;
      std::vector<double> a(d), b(d);
      for (std::size_t i = 0; i < n; ++i) {
        design.a_point(i, a.data());
        design.b_point(i, b.data());
        for (std::size_t j = 0; j < d; ++j) {
          hits_a[j][cell(a[j], k)] += 1;
          hits_b[j][cell(b[j], k)] += 1;
        }
      }
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t c = 0; c < n; ++c) {
          REQUIRE(hits_a[j][c] == 1);
          REQUIRE(hits_b[j][c] == 1);
        }
    }
  }
}

TEST_CASE("Sobol dimensions 1-2 form a (0,m,2)-net, scrambled or not", "[sweep][sobol]") {
  // Dimensions 1 and 2 of the Sobol sequence are a (0,2)-sequence in base 2:
  // the first 2^m points put exactly one point in every elementary box
  // [a/2^i, (a+1)/2^i) x [b/2^(m-i), (b+1)/2^(m-i)), for each i = 0..m.
  for (auto scrambling : {SobolScrambling::none, SobolScrambling::owen}) {
    const int m = 10;
    const std::size_t n = std::size_t{1} << m;
    const SobolSaltelliDesign design(uniforms(3), n, 7, n * 4, scrambling); // skip 4N keeps the net
    std::vector<double> a(3);
    for (int i = 0; i <= m; ++i) {
      INFO("boxes 2^-" << i << " x 2^-" << (m - i)
                       << ", scrambled = " << (scrambling == SobolScrambling::owen));
      std::vector<int> hits(n, 0);
      for (std::size_t s = 0; s < n; ++s) {
        design.a_point(s, a.data());
        hits[(cell(a[0], i) << (m - i)) | cell(a[1], m - i)] += 1;
      }
      for (int h : hits) REQUIRE(h == 1);
    }
  }
}

TEST_CASE("Saltelli layout: blocks A, AB^(1..d), B per base sample", "[sweep][sobol]") {
  const std::size_t d = 5, n = 32;
  const SobolSaltelliDesign design(
      {Distribution::uniform(0.0, 1.0), Distribution::normal(0.0, 1.0), Distribution::lognormal(1.0, 1.0),
       Distribution::triangular(0.0, 0.5, 1.0), Distribution::discrete({1.0, 2.0, 3.0})},
      n, 2024);
  REQUIRE(design.size() == n * (d + 2));
  std::vector<double> a(d), b(d), u(d), v(d);
  for (std::size_t i = 0; i < n; ++i) {
    design.a_point(i, a.data());
    design.b_point(i, b.data());
    for (std::size_t slot = 0; slot < d + 2; ++slot) {
      const std::size_t run = i * (d + 2) + slot;
      const SaltelliRole role = design.role(run);
      REQUIRE(role.base == i);
      design.unit_point(run, u.data());
      design.values(run, v.data());
      if (slot == 0) {
        REQUIRE(role.matrix == SaltelliMatrix::A);
        REQUIRE(u == a);
      } else if (slot == d + 1) {
        REQUIRE(role.matrix == SaltelliMatrix::B);
        REQUIRE(u == b);
      } else {
        REQUIRE(role.matrix == SaltelliMatrix::AB);
        REQUIRE(role.parameter == slot - 1);
        for (std::size_t j = 0; j < d; ++j) REQUIRE(u[j] == (j == role.parameter ? b[j] : a[j]));
      }
      for (std::size_t j = 0; j < d; ++j) {
        REQUIRE(std::isfinite(v[j]));
        REQUIRE(v[j] >= design.distributions()[j].lower_bound());
        REQUIRE(v[j] <= design.distributions()[j].upper_bound());
        REQUIRE(v[j] == design.distributions()[j].quantile(u[j]));
      }
    }
  }
  // A and B are different halves of the sequence, not copies.
  design.a_point(3, a.data());
  design.b_point(3, b.data());
  CHECK(a != b);
}

TEST_CASE("Saltelli design refuses what breaks the Sobol balance", "[sweep][sobol]") {
  CHECK_THROWS_WITH(SobolSaltelliDesign(uniforms(2), 100, 1), Contains("power of two") && Contains("100"));
  CHECK_THROWS_WITH(SobolSaltelliDesign(uniforms(2), 0, 1), Contains("power of two"));
  CHECK_THROWS_WITH(SobolSaltelliDesign(uniforms(33), 64, 1), Contains("at most 32"));
  CHECK_THROWS_WITH(SobolSaltelliDesign(uniforms(2), 64, 1, 10), Contains("multiple"));
  CHECK_NOTHROW(SobolSaltelliDesign(uniforms(32), 64, 1, 128));
}

TEST_CASE("scrambling depends on the seed and keeps A and B apart", "[sweep][sobol]") {
  const SobolSequence s1(4, SobolScrambling::owen, 1), s2(4, SobolScrambling::owen, 2);
  int same = 0;
  for (std::uint64_t i = 0; i < 256; ++i) same += s1.coordinate(i, 0) == s2.coordinate(i, 0);
  CHECK(same == 0);
  // Scrambled points are not the unscrambled ones shifted: the mean of a
  // column of 2^10 points is within 2^-10 of 1/2 either way (stratification).
  double mean = 0.0;
  for (std::uint64_t i = 0; i < 1024; ++i) mean += s1.coordinate(i, 3);
  CHECK(std::abs(mean / 1024 - 0.5) < 1.0 / 1024);
}
