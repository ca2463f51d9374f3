// Regime schedule (docs/model.md §3.11): the parameters in force between events.
#pragma once

#include <vector>

#include "core/params.hpp"

namespace arcm {

//! The parameters that change on the schedule, as in force over one interval.
struct RegimeState {
  Regime regime;
  std::vector<Jurisdiction> jurisdictions;
};

//! One interval [start, end) between consecutive event years, with the
//! parameters in force over it (after every event at `start`).
struct Segment {
  double start{0};
  double end{0};
  RegimeState in_force;
};

//! Cut [start_year, end_year] at every distinct event year; events at t0 are
//! applied before the first segment, events of one year in file order.
std::vector<Segment> build_segments(const Scenario& scenario);

} // namespace arcm
