// Writes sample results files from synthetic runs, so the Python
// compatibility test (test_xarray_compat.py) can check the format with
// xarray, h5py, netCDF4 and ncdump before the model exists.
//
// Usage: write_sample_results OUTPUT_DIR
//   single_run.h5    one ok run, float64 trajectories
//   sweep.h5         5 runs in 2 out-of-order batches, float32 trajectories,
//                    2 parameters; run 2 failed early, run 4 stopped by a
//                    Kessler cascade after 6 output years
//   summary_only.h5  one run, no trajectories stored
#include <exception>
#include <iostream>
#include <string>

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

void write_sweep(const std::string& path) {
  using arcm::io::RunRecord;
  arcm::io::ResultsLayout layout = arcm::io::ResultsLayout::from_run(arcm::test::synthetic_run(0));
  layout.trajectory_precision = arcm::io::Precision::float32;
  layout.parameters = {{"demand_elasticity", "price elasticity of demand", "1", {}},
                       {"royalty_rate", "royalty rate on extraction revenue", "1", {}}};
  arcm::io::ResultsFileWriter writer(path, layout, sample_provenance("sweep"));

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
  writer.append_runs(0, {record(run0, 0), record(run1, 1), record(run2, 2)});
  writer.finish();
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
  } catch (const std::exception& error) {
    std::cerr << "write_sample_results: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
