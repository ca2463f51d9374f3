// Where a run spends its time, for the benchmark (bench/arcm_bench.cpp).
//
// simulate() never sees a probe: the integrator takes a meter as a template
// argument (dynamics/integrate.cpp), and the production meter's every method
// is the call itself, so the production path carries no timing code at all.
// The probed run's meter wraps the RHS evaluations, the steps and the output
// recording with timers, and watches the entries through an EntryObserver
// (the census). A probed run integrates exactly as simulate() does and
// returns the same results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/params.hpp"
#include "core/results.hpp"

namespace arcm {

//! A cheap monotonic tick count: the CPU's time-stamp counter on x86-64
//! (constant rate on every CPU this runs on), steady_clock nanoseconds elsewhere.
//! Only ratios of ticks are reported, so the tick rate never matters.
std::uint64_t probe_ticks();

//! A step the error control rejected: when, how long, and the component
//! whose error estimate was largest relative to its tolerance.
struct RejectedStep {
  double t{0};              //!< start of the attempted step [yr]
  double step{0};           //!< attempted step size [yr]
  std::size_t component{0}; //!< state index with the largest weighted error
  double error{0};          //!< that weighted error (> 1 rejects)
};

//! Ticks spent in each part of one run, and optionally every state the
//! stepper evaluated the right-hand side at (to replay them for a lower bound).
struct RunProbe {
  bool record_states{false}; //!< fill `calls` with every stepper RHS input

  std::uint64_t total{0};    //!< the whole of simulate_probed()
  std::uint64_t stepping{0}; //!< inside the stepper's do_step (its RHS calls included)
  std::uint64_t rhs{0};      //!< inside the stepper's RHS calls (market clearing included)
  std::uint64_t market{0};   //!< inside market clearing called from the stepper's RHS
  std::uint64_t observer{0}; //!< recording outputs (dense interpolation, the recording RHS, copying)

  long rhs_calls{0};          //!< RHS calls: the stepper's and those that locate entries and switches
  double last_call_time{0};   //!< time of the latest stepper RHS call [yr]
  long market_evaluations{0}; //!< evaluations of the clearing function h in those calls
  std::vector<RejectedStep> rejected;

  // What the steps had to get past (the bench's census of switches, counted
  // from the workspace at the ends of the parts of steps that are kept):
  long investment_switches{0}; //!< entered plants whose Q − 1 changed sign within a kept step
  long provider_changes{0};    //!< buyers whose launch provider differs between kept steps' ends
  long entries{0};             //!< plants that entered after the run's start (docs/model.md, "Entry")
  long located_switches{0};    //!< failed attempts retried up to a located switch (SwitchRetry)
  long predicted_switches{0};  //!< steps shortened to end just past a predicted switch (SwitchRetry)
  long failed_predictions{0};  //!< of those, the ones that failed all the same

  //! One recorded RHS input: the schedule segment it belongs to, the time and
  //! the state (`state_size` values at `states[call * state_size]`).
  std::vector<std::size_t> call_segment;
  std::vector<double> call_time;
  std::vector<double> states;
  std::size_t state_size{0};
};

//! simulate(), with `probe` filled in.
RunResults simulate_probed(const Scenario& scenario, RunProbe& probe);

} // namespace arcm
