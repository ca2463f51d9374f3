// Sobol direction numbers of Joe & Kuo (2008) for the first 64 dimensions.
#pragma once

#include <cstdint>

namespace arcm::sweep {

//! The largest Sobol dimension tabulated (and so 2 * 32 parameters in a
//! Saltelli design, which uses two independent halves A and B).
constexpr int SOBOL_MAX_DIMENSION = 64;
//! Largest degree of the primitive polynomials in the table.
constexpr int SOBOL_MAX_DEGREE = 9;

//! One row of new-joe-kuo-6.21201: the primitive polynomial over GF(2)
//! x^s + a_1 x^{s-1} + ... + a_{s-1} x + 1 of degree s, whose inner
//! coefficients a_1..a_{s-1} are the bits of `a` (a_1 most significant), and the
//! initial direction integers m_1..m_s (m_k odd, m_k < 2^k).
struct SobolPolynomial {
  int degree;                        //!< s
  std::uint32_t coefficients;        //!< a
  std::uint32_t m[SOBOL_MAX_DEGREE]; //!< m_1..m_s, unused entries 0
};

//! Rows for Sobol dimensions 2..64 (dimension 1, the van der Corput sequence in
//! base 2, needs no polynomial). Index k holds dimension k + 2.
extern const SobolPolynomial SOBOL_JOE_KUO[SOBOL_MAX_DIMENSION - 1];

} // namespace arcm::sweep
