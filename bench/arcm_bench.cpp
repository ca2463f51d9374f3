// arcm_bench: what one model run costs and where the time goes (issue 9).
//
//   arcm_bench [--scenario FILE] [--repeats K] [--scaling] [--rejections] [--json FILE]
//
// For the baseline and for a copy with twice the actors it reports, per run:
// the median wall time of K runs, right-hand-side (RHS) evaluations, accepted
// and rejected steps, time per RHS evaluation, the share of time in market
// clearing, the rest of the RHS, the dopri5 stepper, output recording and the
// driver, and the ratio of the run to a lower bound: the same RHS evaluations,
// on the very states the run visited, called in a tight loop with no stepper,
// no output and no driver (timed alternately with the runs). It also counts
// what the steps got past: investment switches, changes of launch provider,
// entries. --scaling repeats the wall time, the lower bound and the counts
// for 5/10/20/40 actors × 1/3/6 resources. It prints a table and, with --json,
// writes the same numbers as JSON. Numbers only: nothing here passes or fails.
//
// Scenarios of other sizes are generated from the baseline (see resize()).
// The breakdown comes from a probed run (dynamics/probe.hpp), a separate
// instantiation of the integrator; the wall times from plain simulate().
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <time.h>

#include "core/schedule.hpp"
#include "core/state.hpp"
#include "dynamics/integrate.hpp"
#include "dynamics/probe.hpp"
#include "dynamics/system.hpp"
#include "scenario/loader.hpp"
#include "support/golden.hpp"

using namespace arcm;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of this thread [s]: "ms of one core" even while other processes
// share the cores (wall time then counts their turns too).
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// A small deterministic generator (splitmix64) for the perturbations, so a
// generated scenario is the same on every machine.
class Perturb {
public:
  explicit Perturb(std::uint64_t seed) : state_(seed) {}
  // A factor uniform in [1 - spread, 1 + spread].
  double factor(double spread) {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    const double u = static_cast<double>(z >> 11) * 0x1.0p-53;
    return 1.0 + spread * (2.0 * u - 1.0);
  }

private:
  std::uint64_t state_;
};

// A scenario with `n` actors and `m` resources made from `base`. Actor i is
// base actor i mod N and resource k is base resource k mod M; copies beyond
// the first get an id suffix and every copy its own ±10 % perturbation of the
// parameters that set its economics (launch cost and experience, budget, cost
// efficiency, strategic value; demand, reference price, stock, extraction and
// hardware cost), so clones are not identical players. Sizes below the base
// keep its first n actors / m resources. The result goes through the YAML
// emitter and loader, so it is validated like any scenario file.
Scenario resize(const Scenario& base, std::size_t n, std::size_t m) {
  Scenario s = base;
  const std::size_t n0 = base.n_actors(), m0 = base.n_resources();
  Perturb perturb(0x5EED0000ULL + 1000 * n + m);
  s.resources.clear();
  for (std::size_t k = 0; k < m; ++k) {
    Resource r = base.resources[k % m0];
    if (k >= m0) {
      r.id += "_" + std::to_string(k / m0);
      r.demand *= perturb.factor(0.1);
      r.reference_price *= perturb.factor(0.1);
      r.stock *= perturb.factor(0.1);
      r.extraction_cost *= perturb.factor(0.1);
      r.hardware_cost *= perturb.factor(0.1);
    }
    s.resources.push_back(r);
  }
  s.actors.clear();
  for (std::size_t i = 0; i < n; ++i) {
    Actor a = base.actors[i % n0];
    if (i >= n0) {
      a.id += "_" + std::to_string(i / n0);
      a.launch_cost *= perturb.factor(0.1);
      a.launch_cost_floor = std::min(a.launch_cost_floor, a.launch_cost);
      a.launch_experience *= perturb.factor(0.1);
      a.budget *= perturb.factor(0.1);
      a.cost_efficiency *= perturb.factor(0.1);
      a.strategic_value *= perturb.factor(0.1);
    }
    const std::vector<double> capacity = a.initial_capacity, pipeline = a.initial_pipeline;
    a.initial_capacity.assign(m, 0.0);
    a.initial_pipeline.assign(m, 0.0);
    for (std::size_t k = 0; k < m; ++k) {
      const double f = k >= m0 || i >= n0 ? perturb.factor(0.1) : 1.0;
      if (k % m0 < capacity.size()) a.initial_capacity[k] = capacity[k % m0] * f;
      if (k % m0 < pipeline.size()) a.initial_pipeline[k] = pipeline[k % m0] * f;
    }
    s.actors.push_back(a);
  }
  // Beneficiaries that name a state actor no longer present become plain ones.
  for (Beneficiary& b : s.beneficiaries)
    if (b.actor >= static_cast<int>(n)) b.actor = -1;
  s.name = base.name + "_" + std::to_string(n) + "x" + std::to_string(m);
  return load_scenario_from_string(to_yaml(s), "<generated " + s.name + ">");
}

// The tight-loop lower bound: the RHS called on every state a probed run
// evaluated it at, in the same order (so the warm-started market solves see
// the same sequence), with nothing else around it. One pass() is timed at a
// time, so the bench can interleave passes with timed runs.
class Replay {
public:
  Replay(const Scenario& scenario, const RunProbe& probe)
      : scenario_(scenario), layout_(scenario.n_actors(), scenario.n_resources(), scenario.n_beneficiaries()),
        segments_(build_segments(scenario)), probe_(probe) {
    const StateVector x0 = initial_state(scenario, layout_);
    reference_ = make_run_reference(scenario, segments_.front().in_force, x0, layout_);
    const std::size_t calls = probe.call_time.size();
    states_.resize(calls);
    for (std::size_t c = 0; c < calls; ++c)
      states_[c].assign(probe.states.begin() + static_cast<std::ptrdiff_t>(c * probe.state_size),
                        probe.states.begin() + static_cast<std::ptrdiff_t>((c + 1) * probe.state_size));
    dxdt_.resize(layout_.size());
  }

  //! CPU seconds of one pass over the recorded calls.
  double pass() {
    // A fresh system per segment, as in a run (cold warm-start at the start).
    std::vector<ArcmSystem> systems;
    for (const Segment& segment : segments_)
      systems.emplace_back(scenario_, layout_, segment.in_force, reference_);
    const double start = thread_cpu_seconds();
    for (std::size_t c = 0; c < states_.size(); ++c) {
      systems[probe_.call_segment[c]](states_[c], dxdt_, probe_.call_time[c]);
      checksum_ += dxdt_[0];
    }
    const double seconds = thread_cpu_seconds() - start;
    if (checksum_ == 42.0) std::cerr << ""; // keeps the loop from being optimised away
    return seconds;
  }

private:
  const Scenario& scenario_;
  StateLayout layout_;
  std::vector<Segment> segments_;
  const RunProbe& probe_;
  RunReference reference_;
  std::vector<StateVector> states_;
  StateVector dxdt_;
  double checksum_{0};
};

// The baseline's summary against the golden regression file
// (tests/regression/golden/baseline_summary.txt), with the test's tolerance:
// |got − expected| <= 1e-7 |expected| + 1e-9 max|variable|; years exact.
// Returns the number of values outside it and reports the largest deviation.
struct GoldenCheck {
  std::size_t compared{0}, outside{0};
  double worst_relative{0}; // largest |got − expected| / |expected| over non-year values
  std::string worst_key;
};

GoldenCheck check_golden(const RunResults& r, const std::string& path) {
  const std::map<std::string, double> golden = testing::read_golden(path);
  GoldenCheck g;
  for (const Variable& v : r.summary) {
    const double largest = testing::largest_finite(v);
    for (std::size_t i = 0; i < v.data.size(); ++i) {
      const std::string key = testing::golden_key(v, i);
      const auto it = golden.find(key);
      if (it == golden.end()) throw std::runtime_error("golden file has no " + key);
      const double expected = it->second, got = v.data[i];
      if (!std::isnan(expected) && v.units != "year" && expected != 0.0 &&
          std::fabs(got - expected) / std::fabs(expected) > g.worst_relative) {
        g.worst_relative = std::fabs(got - expected) / std::fabs(expected);
        g.worst_key = key;
      }
      ++g.compared;
      if (!testing::golden_agrees(v, expected, got, largest)) ++g.outside;
    }
  }
  if (g.compared != golden.size()) throw std::runtime_error("golden file and summary differ in size");
  return g;
}

struct Case {
  std::string name;
  std::size_t actors{0}, resources{0}, states{0};
  double median_s{0}, min_s{0}; // CPU time of one run [s]
  double median_wall_s{0};      // wall time of one run [s]
  long rhs{0}, accepted{0}, rejected{0};
  double lower_bound_s{0};
  double ratio_to_lower_bound{0}; // median over interleaved (run, bound) pairs
  // Shares of the probed run's time.
  double share_market{0}, share_rhs_other{0}, share_stepper{0}, share_observer{0}, share_driver{0};
  double market_evaluations_per_clear{0};
  std::vector<RejectedStep> rejections;
  // Rejected steps by where they happened: "start" (the first step of the
  // run), else the kind of state whose error was largest ("pipeline", "npv",
  // ...), in order of first appearance.
  std::vector<std::pair<std::string, long>> rejections_by_state;
  // What the steps had to get past (RunProbe): investment switches crossed,
  // changes of launch provider, entries, and failed attempts retried up to a
  // located switch, steps shortened to a predicted switch and those of them
  // that failed.
  long investment_switches{0}, provider_changes{0}, entries{0}, located{0}, predicted{0},
      failed_predictions{0};
  std::string status;
};

std::vector<std::pair<std::string, long>> rejection_census(const std::vector<RejectedStep>& rejections,
                                                           const Scenario& scenario) {
  const StateLayout layout(scenario.n_actors(), scenario.n_resources(), scenario.n_beneficiaries());
  std::vector<std::pair<std::string, long>> census;
  for (const RejectedStep& r : rejections) {
    std::string kind = "start";
    if (r.t > scenario.start_year) {
      kind = layout.component_name(r.component, scenario);
      kind = kind.substr(0, kind.find(' '));
    }
    auto entry = std::find_if(census.begin(), census.end(), [&](const auto& e) { return e.first == kind; });
    if (entry == census.end())
      census.emplace_back(kind, 1);
    else
      ++entry->second;
  }
  return census;
}

std::string census_text(const Case& c) {
  std::string text;
  for (const auto& [kind, count] : c.rejections_by_state)
    text += (text.empty() ? "" : ", ") + kind + " " + std::to_string(count);
  return text.empty() ? "none" : text;
}

Case measure(const std::string& name, const Scenario& scenario, int repeats, bool breakdown) {
  Case c;
  c.name = name;
  c.actors = scenario.n_actors();
  c.resources = scenario.n_resources();
  c.states = StateLayout(c.actors, c.resources, scenario.n_beneficiaries()).size();
  RunResults first = simulate(scenario); // warm-up; also the counts
  c.rhs = first.rhs_evaluations;
  c.accepted = first.accepted_steps;
  c.rejected = first.rejected_steps;
  c.status = to_string(first.status);
  RunProbe recorded;
  recorded.record_states = true;
  simulate_probed(scenario, recorded);
  c.rejections = recorded.rejected;
  c.rejections_by_state = rejection_census(c.rejections, scenario);
  c.investment_switches = recorded.investment_switches;
  c.provider_changes = recorded.provider_changes;
  c.entries = recorded.entries;
  c.located = recorded.located_switches;
  c.predicted = recorded.predicted_switches;
  c.failed_predictions = recorded.failed_predictions;

  // Runs and lower-bound passes alternate, so both see the same moments of a
  // machine whose speed drifts; the ratio is the median of the pairs' ratios.
  Replay replay(scenario, recorded);
  replay.pass(); // warm-up
  std::vector<double> cpu, wall, bound, ratio;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    const double cpu_start = thread_cpu_seconds();
    const RunResults results = simulate(scenario);
    cpu.push_back(thread_cpu_seconds() - cpu_start);
    wall.push_back(seconds_since(start));
    if (results.rhs_evaluations != c.rhs) throw std::runtime_error("runs of one scenario differ");
    bound.push_back(replay.pass());
    ratio.push_back(cpu.back() / bound.back());
  }
  c.median_s = median(cpu);
  c.min_s = *std::min_element(cpu.begin(), cpu.end());
  c.median_wall_s = median(wall);
  c.lower_bound_s = median(bound);
  c.ratio_to_lower_bound = median(ratio);

  if (breakdown) {
    // Shares from the median of several probed runs (each share separately).
    std::vector<double> market, rhs_other, stepper, observer, driver;
    for (int r = 0; r < std::max(5, repeats / 2); ++r) {
      RunProbe p;
      simulate_probed(scenario, p);
      const double total = static_cast<double>(p.total);
      market.push_back(static_cast<double>(p.market) / total);
      rhs_other.push_back(static_cast<double>(p.rhs - p.market) / total);
      stepper.push_back(static_cast<double>(p.stepping - p.rhs) / total);
      observer.push_back(static_cast<double>(p.observer) / total);
      driver.push_back(static_cast<double>(p.total - p.stepping - p.observer) / total);
      c.market_evaluations_per_clear =
          static_cast<double>(p.market_evaluations) / static_cast<double>(p.rhs_calls * c.resources);
    }
    c.share_market = median(market);
    c.share_rhs_other = median(rhs_other);
    c.share_stepper = median(stepper);
    c.share_observer = median(observer);
    c.share_driver = median(driver);
  }
  return c;
}

// Perfect foresight against myopic expectations on the same scenario
// (docs/model.md §3.15): median CPU time of `repeats` runs each, and the
// iterations and residual of the fixed point.
struct ForesightCost {
  double myopic_s{0}, foresight_s{0};
  long iterations{0};
  double residual{0};
  std::string status;
};

ForesightCost measure_foresight(Scenario scenario, int repeats) {
  ForesightCost cost;
  auto time_runs = [&](const Scenario& s, RunResults& last) {
    std::vector<double> cpu;
    for (int r = 0; r < repeats; ++r) {
      const double start = thread_cpu_seconds();
      last = simulate(s);
      cpu.push_back(thread_cpu_seconds() - start);
    }
    return median(cpu);
  };
  RunResults last;
  scenario.economy.expectations = Expectations::myopic;
  cost.myopic_s = time_runs(scenario, last);
  scenario.economy.expectations = Expectations::perfect_foresight;
  cost.foresight_s = time_runs(scenario, last);
  cost.iterations = last.foresight_iterations;
  cost.residual = last.foresight_residual;
  cost.status = to_string(last.status);
  return cost;
}

void print_table(const std::vector<Case>& cases, bool breakdown) {
  std::printf("%-16s %4s %4s %5s %8s %8s %6s %5s %5s %8s %8s %6s", "case", "N", "M", "n_x", "cpu_ms",
              "wall_ms", "rhs", "acc", "rej", "us/rhs", "bound_ms", "ratio");
  if (breakdown)
    std::printf(" %7s %7s %7s %7s %7s %6s", "market", "rhs", "stepper", "output", "driver", "h/clr");
  std::printf("\n");
  for (const Case& c : cases) {
    std::printf("%-16s %4zu %4zu %5zu %8.3f %8.3f %6ld %5ld %5ld %8.3f %8.3f %6.2f", c.name.c_str(), c.actors,
                c.resources, c.states, 1e3 * c.median_s, 1e3 * c.median_wall_s, c.rhs, c.accepted, c.rejected,
                1e6 * c.median_s / static_cast<double>(c.rhs), 1e3 * c.lower_bound_s, c.ratio_to_lower_bound);
    if (breakdown)
      std::printf(" %6.1f%% %6.1f%% %6.1f%% %6.1f%% %6.1f%% %6.2f", 100 * c.share_market,
                  100 * c.share_rhs_other, 100 * c.share_stepper, 100 * c.share_observer,
                  100 * c.share_driver, c.market_evaluations_per_clear);
    std::printf("\n");
  }
  std::printf("rejected steps by where they happened (the run's first step, else the state kind with the "
              "largest error):\n");
  for (const Case& c : cases) std::printf("  %-16s %s\n", c.name.c_str(), census_text(c).c_str());
  std::printf("switches the steps got past: investment switching on or off (Q - 1 crossing 0), changes of "
              "launch provider, entries; failed attempts retried up to a located switch; steps shortened "
              "to a predicted switch (of which failed):\n");
  for (const Case& c : cases)
    std::printf(
        "  %-16s investment %ld, provider %ld, entries %ld; located %ld; predicted %ld (%ld failed)\n",
        c.name.c_str(), c.investment_switches, c.provider_changes, c.entries, c.located, c.predicted,
        c.failed_predictions);
}

std::string json_case(const Case& c, const StateLayout& layout, const Scenario& scenario) {
  std::ostringstream o;
  o.precision(10);
  o << "{\"name\": \"" << c.name << "\", \"actors\": " << c.actors << ", \"resources\": " << c.resources
    << ", \"state_size\": " << c.states << ", \"status\": \"" << c.status
    << "\", \"median_ms\": " << 1e3 * c.median_s << ", \"min_ms\": " << 1e3 * c.min_s
    << ", \"median_wall_ms\": " << 1e3 * c.median_wall_s << ", \"rhs_evaluations\": " << c.rhs
    << ", \"accepted_steps\": " << c.accepted << ", \"rejected_steps\": " << c.rejected
    << ", \"us_per_rhs\": " << 1e6 * c.median_s / static_cast<double>(c.rhs)
    << ", \"lower_bound_ms\": " << 1e3 * c.lower_bound_s
    << ", \"ratio_to_lower_bound\": " << c.ratio_to_lower_bound
    << ", \"lower_bound_us_per_rhs\": " << 1e6 * c.lower_bound_s / static_cast<double>(c.rhs);
  if (c.share_market + c.share_stepper > 0.0)
    o << ", \"share\": {\"market\": " << c.share_market << ", \"rhs_excluding_market\": " << c.share_rhs_other
      << ", \"stepper\": " << c.share_stepper << ", \"output\": " << c.share_observer
      << ", \"driver\": " << c.share_driver
      << "}, \"market_h_evaluations_per_clearing\": " << c.market_evaluations_per_clear;
  o << ", \"switches\": {\"investment\": " << c.investment_switches
    << ", \"provider\": " << c.provider_changes << ", \"entries\": " << c.entries
    << ", \"located\": " << c.located << ", \"predicted\": " << c.predicted
    << ", \"failed_predictions\": " << c.failed_predictions << "}";
  o << ", \"rejections_by_state\": {";
  for (std::size_t r = 0; r < c.rejections_by_state.size(); ++r)
    o << (r ? ", " : "") << "\"" << c.rejections_by_state[r].first
      << "\": " << c.rejections_by_state[r].second;
  o << "}, \"rejected\": [";
  for (std::size_t r = 0; r < c.rejections.size(); ++r) {
    const RejectedStep& j = c.rejections[r];
    o << (r ? ", " : "") << "{\"t\": " << j.t << ", \"step\": " << j.step << ", \"component\": \""
      << layout.component_name(j.component, scenario) << "\", \"error\": " << j.error << "}";
  }
  o << "]}";
  return o.str();
}

void print_rejections(const Case& c, const StateLayout& layout, const Scenario& scenario) {
  std::printf("\nrejected steps of %s (%zu): t, attempted step, worst component, its weighted error\n",
              c.name.c_str(), c.rejections.size());
  for (const RejectedStep& r : c.rejections)
    std::printf("  %10.5f %10.3g  %-40s %9.3g\n", r.t, r.step,
                layout.component_name(r.component, scenario).c_str(), r.error);
}

} // namespace

int main(int argc, char** argv) {
  std::string scenario_path = "config/scenarios/baseline.yaml";
  std::string json_path;
  std::string golden_path = "tests/regression/golden/baseline_summary.txt";
  int repeats = 21;
  bool scaling = false, rejections = false;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto value = [&]() -> std::string {
      if (a + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++a];
    };
    if (arg == "--scenario")
      scenario_path = value();
    else if (arg == "--repeats")
      repeats = std::stoi(value());
    else if (arg == "--golden")
      golden_path = value();
    else if (arg == "--json")
      json_path = value();
    else if (arg == "--scaling")
      scaling = true;
    else if (arg == "--rejections")
      rejections = true;
    else {
      std::cerr << "usage: arcm_bench [--scenario FILE] [--repeats K] [--scaling] [--rejections] [--golden "
                   "FILE|none]"
                   " [--json FILE]\n";
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  try {
    const Scenario base = load_scenario(scenario_path);
    const std::size_t n0 = base.n_actors(), m0 = base.n_resources();
    std::vector<Case> cases;
    std::vector<Scenario> scenarios{base, resize(base, 2 * n0, m0)};
    cases.push_back(measure("baseline", scenarios[0], repeats, true));
    cases.push_back(measure("double_actors", scenarios[1], repeats, true));
    std::printf("ARCM model run cost: median CPU (and wall) time of %d runs on one thread;\n"
                "bound = CPU time of the same RHS calls in a tight loop; shares of a probed run's time\n",
                repeats);
    print_table(cases, true);
    const ForesightCost foresight = measure_foresight(base, std::max(3, repeats / 3));
    std::printf(
        "perfect foresight (docs/model.md §3.15), baseline: %.3f ms against %.3f ms myopic (median CPU "
        "of %d runs), ratio %.2f; %ld iterations, residual %.2g, status %s\n",
        1e3 * foresight.foresight_s, 1e3 * foresight.myopic_s, std::max(3, repeats / 3),
        foresight.foresight_s / foresight.myopic_s, foresight.iterations, foresight.residual,
        foresight.status.c_str());
    std::string golden_json = "null";
    if (golden_path != "none") {
      const GoldenCheck g = check_golden(simulate(scenarios[0]), golden_path);
      std::printf("golden regression (%s): %zu of %zu summary values outside rtol 1e-7; largest relative "
                  "difference %.3g (%s)\n",
                  golden_path.c_str(), g.outside, g.compared, g.worst_relative, g.worst_key.c_str());
      std::ostringstream o;
      o.precision(6);
      o << "{\"file\": \"" << golden_path << "\", \"compared\": " << g.compared
        << ", \"outside_tolerance\": " << g.outside
        << ", \"largest_relative_difference\": " << g.worst_relative << ", \"at\": \"" << g.worst_key
        << "\"}";
      golden_json = o.str();
    }
    if (rejections)
      for (std::size_t c = 0; c < cases.size(); ++c)
        print_rejections(
            cases[c],
            StateLayout(scenarios[c].n_actors(), scenarios[c].n_resources(), scenarios[c].n_beneficiaries()),
            scenarios[c]);

    std::vector<Case> grid;
    if (scaling) {
      for (std::size_t m : {1, 3, 6})
        for (std::size_t n : {5, 10, 20, 40}) {
          const Scenario s = resize(base, n, m);
          grid.push_back(
              measure(std::to_string(n) + "x" + std::to_string(m), s, std::max(3, repeats / 3), false));
          std::fprintf(stderr, "scaling %zu actors x %zu resources done\n", n, m);
        }
      std::printf("\nscaling with actors N and resources M (median of %d runs)\n", std::max(3, repeats / 3));
      print_table(grid, false);
    }
    if (!json_path.empty()) {
      std::ofstream out(json_path);
      out << "{\"scenario\": \"" << scenario_path << "\", \"repeats\": " << repeats
          << ", \"golden\": " << golden_json
          << ", \"foresight\": {\"myopic_ms\": " << 1e3 * foresight.myopic_s
          << ", \"foresight_ms\": " << 1e3 * foresight.foresight_s
          << ", \"ratio\": " << foresight.foresight_s / foresight.myopic_s
          << ", \"iterations\": " << foresight.iterations << ", \"residual\": " << foresight.residual
          << ", \"status\": \"" << foresight.status << "\"}, \"cases\": [";
      for (std::size_t c = 0; c < cases.size(); ++c) {
        const StateLayout layout(scenarios[c].n_actors(), scenarios[c].n_resources(),
                                 scenarios[c].n_beneficiaries());
        out << (c ? ", " : "") << json_case(cases[c], layout, scenarios[c]);
      }
      out << "], \"scaling\": [";
      for (std::size_t c = 0; c < grid.size(); ++c) {
        Case g = grid[c];
        g.rejections.clear();
        out << (c ? ", " : "") << json_case(g, StateLayout(1, 1, 1), base);
      }
      out << "]}\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "arcm_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
