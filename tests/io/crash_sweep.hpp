// A deterministic stand-in for the sweep driver's use of ResultsFileWriter,
// shared by the kill helper (tests/io/kill_writer.cpp, which is SIGKILLed at
// random moments) and by test_io, which computes the same sweep in-process
// as the reference a resumed file must match bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/results_file.hpp"
#include "synthetic_results.hpp"

namespace arcm::test {

struct CrashSweep {
  std::int64_t first_run{1000};
  std::int64_t runs{300}; //!< not a multiple of run_chunk, so there is an edge chunk
  std::int64_t run_chunk{8};
  std::int64_t batch{16};           //!< two chunks per batch, like a driver with batch = 2 * run_chunk
  std::int64_t checkpoint_every{2}; //!< batches between checkpoints

  //! Ok, failed and Kessler-stopped runs mixed, so NaN fills and messages occur.
  static RunResults run_results(std::int64_t run) {
    if (run % 7 == 3) return synthetic_failed_run(run);
    if (run % 11 == 5) return synthetic_stopped_run(run, 4);
    return synthetic_run(run);
  }
  //! The checkpoint state after `next_run`: its length changes between checkpoints.
  static std::vector<double> state_for(std::int64_t next_run) {
    std::vector<double> state(static_cast<std::size_t>(next_run % 5) * 3 + 1);
    for (std::size_t i = 0; i < state.size(); ++i)
      state[i] = static_cast<double>(next_run) + 0.125 * static_cast<double>(i);
    return state;
  }

  io::ResultsLayout layout() const {
    io::ResultsLayout layout = io::ResultsLayout::from_run(synthetic_run(0));
    layout.trajectory_precision = io::Precision::float32; // exercises the double -> float conversion path
    layout.parameters = {{"royalty_rate", "royalty rate", "1", {}}};
    layout.first_run_index = first_run;
    layout.run_chunk = run_chunk;
    const RunResults sample = synthetic_run(0);
    for (const char* name : {"capacity", "debris"}) {
      const Variable& v = *sample.find(name);
      layout.ensemble.push_back({v.name, v.long_name, v.units, v.dims});
    }
    return layout;
  }
  static io::Provenance provenance() {
    io::Provenance provenance = io::Provenance::of_this_build();
    provenance.yaml_kind = "sweep";
    provenance.definition_hash = "crash-sweep";
    provenance.created_utc = "2030-01-01T00:00:00Z"; // fixed, so files compare equal
    return provenance;
  }

  //! Writes runs [from, to) in batches with checkpoints, like the driver.
  void write_runs(io::ResultsFileWriter& writer, std::int64_t from, std::int64_t to) const {
    std::int64_t since_checkpoint = 0;
    for (std::int64_t start = from; start < to; start += batch) {
      const std::int64_t end = std::min(start + batch, to);
      std::vector<RunResults> results;
      for (std::int64_t run = start; run < end; ++run) results.push_back(run_results(run));
      std::vector<io::RunRecord> records;
      for (std::int64_t run = start; run < end; ++run)
        records.push_back({&results[static_cast<std::size_t>(run - start)],
                           {0.001 * static_cast<double>(run)},
                           static_cast<std::uint64_t>(run) * 2654435761u});
      writer.append_runs(start, records);
      if (++since_checkpoint == checkpoint_every || end == to) {
        writer.write_checkpoint(end, state_for(end));
        since_checkpoint = 0;
      }
    }
  }

  void write_ensemble(io::ResultsFileWriter& writer) const {
    std::vector<io::EnsembleVariable> variables;
    const RunResults sample = synthetic_run(0);
    for (const io::VariableSpec& spec : layout().ensemble) {
      io::EnsembleVariable variable{spec, {}};
      const std::size_t size = sample.find(spec.name)->data.size();
      for (std::size_t s = 0; s < io::default_ensemble_statistics().size(); ++s)
        for (std::size_t i = 0; i < size; ++i)
          variable.values.push_back(100.0 * static_cast<double>(s) + static_cast<double>(i));
      variables.push_back(std::move(variable));
    }
    writer.write_ensemble(io::default_ensemble_statistics(), variables);
  }

  //! The whole sweep into `final_path`, resuming NAME.partial when it exists.
  void run(const std::string& final_path) const {
    const std::string partial = io::ResultsFileWriter::partial_path_for(final_path);
    std::int64_t next = first_run;
    io::ResultsFileWriter writer = [&] {
      if (std::FILE* existing = std::fopen(partial.c_str(), "rb")) {
        std::fclose(existing);
        io::ResumeInfo info;
        io::ResultsFileWriter resumed = io::ResultsFileWriter::resume(final_path, &info);
        next = info.next_run;
        return resumed;
      }
      // The run axis grows with the batches written, as the driver's does.
      return io::ResultsFileWriter(final_path, layout(), provenance());
    }();
    write_runs(writer, next, first_run + runs);
    write_ensemble(writer);
    writer.finish();
  }
};

} // namespace arcm::test
