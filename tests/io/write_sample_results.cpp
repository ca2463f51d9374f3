// Writes sample results files from synthetic runs, so the Python
// compatibility test (test_xarray_compat.py) can check the format with
// xarray, h5py, netCDF4 and ncdump before the model exists.
//
// Usage: write_sample_results OUTPUT_DIR
//   single_run.h5    one ok run, float64 trajectories
//   sweep.h5         5 runs in 2 out-of-order batches, float32 trajectories,
//                    2 parameters; run 2 failed early, run 4 stopped by a
//                    Kessler cascade after 6 output years; /ensemble over
//                    every trajectory variable (exact statistics, see
//                    exact_ensemble); a checkpoint that finish() removes
//   summary_only.h5  one run, no trajectories stored
//   killed_sweep.h5.partial
//                    an unfinished summary-only sweep of 8 runs (total_runs):
//                    runs 0..4 written (the run axis holds those 5), a /checkpoint (next_run 5, state
//                    0.5 * i for i < 7) and a declared, still all-NaN
//                    /ensemble over debris and stock
//   retried_sweep.h5 a finished 6-run summary-only sweep whose runs 1 and 4
//                    failed, kept its last checkpoint (finish(true)), and was
//                    then updated as --retry-failed does: runs 1 and 4
//                    rewritten ok (seeds 2001, 2004), /ensemble over debris
//                    replaced (value 6 + 0.5 * element), checkpoint
//                    next_run 6, state 0.25 * i for i < 5
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "io/results_file.hpp"
#include "synthetic_results.hpp"

namespace {

const char* SAMPLE_YAML = "# synthetic sample, not a real scenario\n"
                          "scenario:\n  name: synthetic\n  years: [2030, 2040]\n"
                          "output:\n  trajectories: all\n";

arcm::io::Provenance sample_provenance(const std::string& kind) {
  arcm::io::Provenance provenance = arcm::io::Provenance::of_this_build();
  provenance.resolved_yaml = SAMPLE_YAML;
  provenance.yaml_kind = kind;
  provenance.master_seed = 20300101;
  provenance.threads = 2;
  provenance.processes = 1;
  return provenance;
}

//! The default statistics of every trajectory variable over `runs`, computed
//! exactly (two-pass std with divisor n - 1, type 7 quantiles), which is what
//! the driver's streaming estimators give for so few runs. Only finite values
//! count, as the failed and stopped runs hold NaN.
std::vector<arcm::io::EnsembleVariable> exact_ensemble(const std::vector<const arcm::RunResults*>& runs,
                                                       const arcm::RunResults& complete) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<arcm::io::EnsembleVariable> variables;
  for (const arcm::Variable& layout : complete.trajectories) {
    const std::size_t elements = layout.data.size();
    arcm::io::EnsembleVariable variable{{layout.name, layout.long_name, layout.units, layout.dims},
                                        std::vector<double>(10 * elements, nan)};
    for (std::size_t e = 0; e < elements; ++e) {
      std::vector<double> x;
      for (const arcm::RunResults* run : runs) {
        const arcm::Variable* found = run->find(layout.name);
        if (found != nullptr && e < found->data.size() && std::isfinite(found->data[e]))
          x.push_back(found->data[e]);
      }
      std::sort(x.begin(), x.end());
      const double n = static_cast<double>(x.size());
      auto at = [&](std::size_t statistic) -> double& { return variable.values[statistic * elements + e]; };
      at(0) = n;
      if (x.empty()) continue;
      double sum = 0;
      for (double value : x) sum += value;
      const double mean = sum / n;
      double squares = 0;
      for (double value : x) squares += (value - mean) * (value - mean);
      at(1) = mean;
      at(2) = x.size() > 1 ? std::sqrt(squares / (n - 1)) : nan;
      at(3) = x.front();
      const double levels[] = {0.05, 0.25, 0.5, 0.75, 0.95};
      for (std::size_t q = 0; q < 5; ++q) {
        const double h = (n - 1) * levels[q];
        const auto lo = static_cast<std::size_t>(std::floor(h));
        at(4 + q) = lo + 1 >= x.size() ? x.back() : x[lo] + (h - std::floor(h)) * (x[lo + 1] - x[lo]);
      }
      at(9) = x.back();
    }
    variables.push_back(std::move(variable));
  }
  return variables;
}

void write_sweep(const std::string& path) {
  using arcm::io::RunRecord;
  arcm::io::ResultsLayout layout = arcm::io::ResultsLayout::from_run(arcm::test::synthetic_run(0));
  layout.trajectory_precision = arcm::io::Precision::float32;
  layout.parameters = {{"demand_elasticity", "price elasticity of demand", "1", {}},
                       {"royalty_rate", "royalty rate on extraction revenue", "1", {}}};
  arcm::io::Provenance provenance = sample_provenance("sweep");
  provenance.definition_hash = "f00dfeedcafe0123";
  provenance.design = "grid";
  provenance.total_runs = 5;
  arcm::io::ResultsFileWriter writer(path, layout, provenance);

  // The formula for parameters (run r): elasticity = -0.5 - 0.125 r, royalty = 0.0625 r; seed = 1000 + r.
  auto record = [](const arcm::RunResults& results, std::int64_t run) {
    return RunRecord{&results,
                     {-0.5 - 0.125 * static_cast<double>(run), 0.0625 * static_cast<double>(run)},
                     static_cast<std::uint64_t>(1000 + run)};
  };
  // Batches arrive out of order, as they do from a parallel sweep.
  const arcm::RunResults run3 = arcm::test::synthetic_run(3);
  const arcm::RunResults run4 = arcm::test::synthetic_stopped_run(4, 6);
  writer.append_runs(3, {record(run3, 3), record(run4, 4)});
  const arcm::RunResults run0 = arcm::test::synthetic_run(0);
  const arcm::RunResults run1 = arcm::test::synthetic_run(1);
  const arcm::RunResults run2 = arcm::test::synthetic_failed_run(2);
  writer.write_checkpoint(0, {1.0, 2.0}); // only runs after 0 are in: nothing to resume from yet
  writer.append_runs(0, {record(run0, 0), record(run1, 1), record(run2, 2)});
  writer.write_checkpoint(5, {3.0});
  writer.write_ensemble(arcm::io::default_ensemble_statistics(),
                        exact_ensemble({&run0, &run1, &run2, &run3, &run4}, run0));
  writer.finish(); // removes /checkpoint
}

void write_killed_sweep(const std::string& path) {
  const arcm::RunResults sample = arcm::test::synthetic_run(0);
  arcm::io::ResultsLayout layout = arcm::io::ResultsLayout::from_run(sample);
  layout.store_trajectories = false;
  for (const char* name : {"debris", "stock"}) {
    const arcm::Variable& v = *sample.find(name);
    layout.ensemble.push_back({v.name, v.long_name, v.units, v.dims});
  }
  arcm::io::Provenance provenance = sample_provenance("sweep");
  provenance.definition_hash = "0123456789abcdef";
  provenance.design = "monte_carlo";
  provenance.total_runs = 8;
  arcm::io::ResultsFileWriter writer(path, layout, provenance);
  std::vector<arcm::RunResults> runs;
  for (std::int64_t run = 0; run < 5; ++run) runs.push_back(arcm::test::synthetic_run(run));
  writer.append_runs(0, {{&runs[0], {}, 1000}, {&runs[1], {}, 1001}, {&runs[2], {}, 1002}});
  writer.write_checkpoint(3, {0.0, 0.5, 1.0});
  writer.append_runs(3, {{&runs[3], {}, 1003}, {&runs[4], {}, 1004}});
  std::vector<double> state;
  for (int i = 0; i < 7; ++i) state.push_back(0.5 * i);
  writer.write_checkpoint(5, state);
  // No finish(): the writer's destructor leaves NAME.partial, as a killed sweep does.
}

void write_retried_sweep(const std::string& path) {
  const arcm::RunResults sample = arcm::test::synthetic_run(0);
  arcm::io::ResultsLayout layout = arcm::io::ResultsLayout::from_run(sample);
  layout.store_trajectories = false;
  layout.run_chunk = 3; // the retried runs share chunks with runs that stay as they were
  const arcm::Variable& debris = *sample.find("debris");
  layout.ensemble.push_back({debris.name, debris.long_name, debris.units, debris.dims});
  arcm::io::Provenance provenance = sample_provenance("sweep");
  provenance.definition_hash = "a5a5a5a5a5a5a5a5";
  provenance.design = "latin_hypercube";
  provenance.total_runs = 6;
  auto ensemble = [&](double offset) {
    std::vector<double> values;
    for (std::size_t s = 0; s < 10; ++s)
      for (std::size_t i = 0; i < debris.data.size(); ++i)
        values.push_back(offset + 0.5 * static_cast<double>(i));
    return std::vector<arcm::io::EnsembleVariable>{{layout.ensemble[0], values}};
  };
  {
    std::vector<arcm::RunResults> runs;
    for (std::int64_t run = 0; run < 6; ++run)
      runs.push_back(run == 1 || run == 4 ? arcm::test::synthetic_failed_run(run)
                                          : arcm::test::synthetic_run(run));
    arcm::io::ResultsFileWriter writer(path, layout, provenance);
    std::vector<arcm::io::RunRecord> batch;
    for (std::int64_t run = 0; run < 6; ++run)
      batch.push_back({&runs[static_cast<std::size_t>(run)], {}, static_cast<std::uint64_t>(1000 + run)});
    writer.append_runs(0, batch);
    writer.write_checkpoint(6, {1.0, 2.0});
    writer.write_ensemble(arcm::io::default_ensemble_statistics(), ensemble(4.0));
    writer.finish(true);
  }
  const arcm::RunResults run1 = arcm::test::synthetic_run(1);
  const arcm::RunResults run4 = arcm::test::synthetic_run(4);
  arcm::io::ResultsFileWriter writer = arcm::io::ResultsFileWriter::update(path);
  writer.append_runs(1, {{&run1, {}, 2001}});
  writer.append_runs(4, {{&run4, {}, 2004}});
  writer.write_ensemble(arcm::io::default_ensemble_statistics(), ensemble(6.0));
  std::vector<double> state;
  for (int i = 0; i < 5; ++i) state.push_back(0.25 * i);
  writer.write_checkpoint(6, state);
  writer.finish(true);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample_results OUTPUT_DIR\n";
    return 2;
  }
  const std::string directory = argv[1];
  try {
    arcm::io::write_single_run(directory + "/single_run.h5", arcm::test::synthetic_run(0),
                               sample_provenance("scenario"), 1000);
    write_sweep(directory + "/sweep.h5");
    arcm::io::write_single_run(directory + "/summary_only.h5", arcm::test::synthetic_run(0),
                               sample_provenance("scenario"), 1000, false);
    write_killed_sweep(directory + "/killed_sweep.h5");
    // A stale copy from an earlier run of this program would make update() refuse.
    std::remove((directory + "/retried_sweep.h5.partial").c_str());
    write_retried_sweep(directory + "/retried_sweep.h5");
  } catch (const std::exception& error) {
    std::cerr << "write_sample_results: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
