// The right-hand side and the output recorder allocate nothing once built
// (docs/style: no allocation inside the RHS or the observer). Every global
// operator new in this test executable is counted.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "core/schedule.hpp"
#include "core/state.hpp"
#include "dynamics/outputs.hpp"
#include "dynamics/system.hpp"
#include "support/small_scenarios.hpp"

namespace {
std::atomic<long> allocations{0};
} // namespace

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace arcm;

TEST_CASE("Evaluating the right-hand side and recording an output row allocate nothing", "[allocation]") {
  const Scenario s = testing::two_actor_scenario();
  const StateLayout layout(s.n_actors(), s.n_resources(), s.n_beneficiaries());
  const std::vector<Segment> segments = build_segments(s);
  StateVector x = initial_state(s, layout);
  const RunReference reference = make_run_reference(s, segments.front().in_force, x, layout);
  const ArcmSystem system(s, layout, segments.front().in_force, reference);
  TrajectoryRecorder recorder(s, layout);
  StateVector dxdt(layout.size());

  // The counter sees this test's own allocations: it must be able to fail.
  const long before_probe = allocations.load();
  StateVector probe(3);
  CHECK(allocations.load() > before_probe);

  const long before = allocations.load();
  double t = s.start_year;
  for (int call = 0; call < 100; ++call) {
    system(x, dxdt, t);
    for (std::size_t c = 0; c < x.size(); ++c) x[c] += 0.01 * dxdt[c]; // move, so the markets change
    t += 0.01;
  }
  recorder.record(1, t, x, system);
  recorder.record_final(t, x, system);
  CHECK(allocations.load() == before);
}
