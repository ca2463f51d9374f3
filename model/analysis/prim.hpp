// PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), for
// scenario discovery: find a box in parameter space where the cases of
// interest (runs whose metric is above or below a threshold) are dense.
// Pure function over arrays: peeling, the choice of one box on the peeling
// trajectory (PrimOptions says how), then pasting.
#pragma once

#include <cstddef>
#include <vector>

namespace arcm::analysis {

struct PrimOptions {
  double peel_alpha{0.05};  //!< share of the box's cases removed per peel, (0, 0.5)
  double paste_alpha{0.01}; //!< share of the box's cases added per paste, (0, 1)
  double min_mass{0.05};    //!< peeling stops before the box holds less than this share of all cases
  double min_coverage{0.5}; //!< only boxes with at least this coverage are chosen
  //! The chosen box is the earliest (largest) on the trajectory whose density
  //! is within this of the densest box with min_coverage.
  double density_slack{0.02};
};

//! A box: low_j <= x_j <= high_j for every parameter j, with its statistics.
struct PrimBox {
  std::vector<double> low, high;   //!< bounds [parameter units]; unrestricted = the data's range
  double coverage{0};              //!< share of all cases of interest inside [-]
  double density{0};               //!< share of the cases inside that are of interest [-]
  double mass{0};                  //!< share of all cases inside [-]
  std::size_t restricted{0};       //!< parameters whose bounds lie inside the data's range
  std::vector<char> is_restricted; //!< per parameter, 1 when restricted
};

struct PrimResult {
  std::vector<PrimBox> trajectory; //!< peeling trajectory; [0] is the box of all cases
  std::size_t chosen_step{0};      //!< the trajectory box that was pasted
  PrimBox chosen;                  //!< that box after pasting
  //! Per parameter: the density and coverage of the chosen box with that
  //! parameter's restriction dropped (NaN where it is unrestricted). A
  //! restriction that barely lowers the density when dropped is not worth
  //! reading as part of the scenario.
  std::vector<double> density_without, coverage_without;
  std::size_t cases{0};
  std::size_t cases_of_interest{0};
  double base_density{0}; //!< cases_of_interest / cases [-]
};

//! Runs PRIM on n cases of d parameters, x row-major (x[i*d + j]), all
//! finite, interest[i] = 1 for a case of interest. Each peel removes, from
//! one face, the peel_alpha share of the box's cases with the lowest (or
//! highest) values of one parameter (all tied values together), choosing
//! the face whose removal leaves the highest density (ties: the one removing
//! fewer cases). Throws arcm::Error on bad options, no cases or no case of
//! interest.
PrimResult prim(const std::vector<double>& x, std::size_t d, const std::vector<char>& interest,
                const PrimOptions& options);

} // namespace arcm::analysis
