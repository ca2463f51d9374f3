#include "driver/sweep_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/errors.hpp"
#include "core/version.hpp"
#include "dynamics/integrate.hpp"
#include "io/results_file.hpp"
#include "sweep/ensemble.hpp"
#include "sweep/random.hpp"

namespace arcm::driver {

namespace {

std::atomic<bool> stop_requested{false};

//! One finished run waiting in the reorder window.
struct RunSlot {
  RunResults results;
  std::vector<double> parameter_values;
  std::uint64_t seed{0};
  bool ready{false};
};

// The statistics stored per ensemble element, in file order.
const std::vector<std::string> STATISTICS{"count", "mean", "std", "min", "q05", "q25", "q50", "q75", "q95", "max"};

// The first line where two texts differ, for a resume refused because the
// sweep definition changed.
std::string first_difference(const std::string& before, const std::string& now) {
  std::istringstream a(before), b(now);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "no textual difference";
    if (!more_a || !more_b || line_a != line_b)
      return "resolved definition line " + std::to_string(line) + " was \"" + (more_a ? line_a : "(end)") +
             "\", now \"" + (more_b ? line_b : "(end)") + "\"";
  }
}

class SweepExecution {
public:
  SweepExecution(const SweepDefinition& sweep, const SweepOptions& options);
  SweepOutcome run();

private:
  RunSlot execute(std::size_t run) const;
  // Master thread only: write the contiguous finished runs from written_ on,
  // in whole batches (a short one only at the end of the range).
  void write_ready();
  void write_batch(std::size_t first, std::size_t count);
  void checkpoint(bool force);
  std::vector<double> flatten_for_ensemble(const RunResults& results) const;

  const SweepDefinition& sweep_;
  SweepOptions options_;
  std::size_t begin_{0}, end_{0};        // this file's run range [begin_, end_)
  std::size_t start_{0};                 // first run computed in this session
  std::size_t batch_{64};
  std::size_t window_{256};
  int threads_{1};
  RunResults blank_;                     // layout template and result of runs that never started
  std::vector<std::size_t> ensemble_variables_; // indices into blank_.trajectories
  std::optional<sweep::EnsembleAccumulator> ensemble_;
  std::optional<io::ResultsFileWriter> writer_;
  std::string final_path_;
  std::string resolved_yaml_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<RunSlot> slots_;
  std::size_t next_claim_{0};
  std::size_t written_{0};
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::optional<ProgressReporter> progress_;
  SweepOutcome outcome_;
  std::size_t failed_total_{0};
};

SweepExecution::SweepExecution(const SweepDefinition& sweep, const SweepOptions& options)
    : sweep_(sweep), options_(options) {
  const std::size_t total = sweep.total_runs();
  begin_ = std::min(options.first_run, total);
  end_ = options.end_run == 0 ? total : std::min(options.end_run, total);
  if (begin_ >= end_) throw Error("the sweep's run range is empty");
#ifdef _OPENMP
  threads_ = options.threads > 0 ? options.threads : omp_get_max_threads();
#else
  threads_ = 1;
#endif
  batch_ = options.batch_size > 0 ? options.batch_size : sweep.output.batch_size;
  if (batch_ == 0) batch_ = std::clamp<std::size_t>(static_cast<std::size_t>(threads_) * 16, 32, 256);
  // The window bounds memory: runs may finish out of order, but never more
  // than `window_` runs beyond the last one written.
  window_ = std::max<std::size_t>(4 * batch_, 4 * static_cast<std::size_t>(threads_));

  Scenario template_scenario = sweep.scenarios.front();
  template_scenario.output.all_variables = true;
  blank_ = blank_results(template_scenario);
  for (std::size_t v = 0; v < blank_.trajectories.size(); ++v) {
    const std::string& name = blank_.trajectories[v].name;
    const auto& chosen = sweep.output.ensemble;
    if (sweep.output.all_ensemble || std::find(chosen.begin(), chosen.end(), name) != chosen.end())
      ensemble_variables_.push_back(v);
  }
  resolved_yaml_ = resolved_sweep_yaml(sweep);
  final_path_ = options.output_path;
  if (final_path_.empty()) {
    std::filesystem::create_directories(options.runs_dir);
    final_path_ = (std::filesystem::path(options.runs_dir) / (sweep.name + ".h5")).string();
  }
}

std::vector<double> SweepExecution::flatten_for_ensemble(const RunResults& results) const {
  std::vector<double> flat;
  for (std::size_t v : ensemble_variables_) {
    const std::vector<double>& data = results.trajectories[v].data;
    flat.insert(flat.end(), data.begin(), data.end());
  }
  return flat;
}

RunSlot SweepExecution::execute(std::size_t run) const {
  RunSlot slot;
  slot.seed = sweep::seed_for(sweep_.seed, run);
  std::size_t scenario_index = 0;
  slot.parameter_values.assign(sweep_.parameters.size(), 0.0);
  sweep_.run_point(run, scenario_index, slot.parameter_values.data());
  if (sweep_.design == DesignKind::scenarios) slot.parameter_values.push_back(static_cast<double>(scenario_index));
  // Failures stay inside the run: the sweep records them and goes on.
  try {
    Scenario scenario = sweep_.scenario_for_run(run);
    scenario.output.all_variables = true;
    scenario.integrator.wall_time_limit = sweep_.run_time_limit;
    slot.results = simulate(scenario);
  } catch (const std::exception& e) {
    slot.results = blank_;
    slot.results.status = RunStatus::failed;
    slot.results.message = std::string("run not started: ") + e.what();
  }
  return slot;
}

void SweepExecution::write_batch(std::size_t first, std::size_t count) {
  std::vector<io::RunRecord> records;
  records.reserve(count);
  for (std::size_t r = first; r < first + count; ++r) {
    RunSlot& slot = slots_[r % window_];
    if (ensemble_) {
      const std::vector<double> flat = flatten_for_ensemble(slot.results);
      ensemble_->add(flat.data());
    }
    switch (slot.results.status) {
    case RunStatus::ok: ++outcome_.ok; break;
    case RunStatus::kessler: ++outcome_.kessler; break;
    default: ++outcome_.failed; ++failed_total_; break;
    }
    records.push_back({&slot.results, slot.parameter_values, slot.seed});
  }
  writer_->append_runs(static_cast<std::int64_t>(first), records);
}

void SweepExecution::checkpoint(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && std::chrono::duration<double>(now - last_checkpoint_).count() < options_.checkpoint_interval)
    return;
  writer_->write_checkpoint(static_cast<std::int64_t>(written_),
                            ensemble_ ? ensemble_->export_state() : std::vector<double>{});
  last_checkpoint_ = now;
}

void SweepExecution::write_ready() {
  while (true) {
    std::size_t ready = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (written_ + ready < next_claim_ && ready < batch_ && slots_[(written_ + ready) % window_].ready) ++ready;
    }
    // Every write covers whole chunks along `run` (run_chunk = batch_), so a
    // kill during a write can never damage a chunk of runs written before it;
    // only the last batch of the range may be short.
    const bool reaches_end = written_ + ready == end_;
    if (ready == 0 || (ready < batch_ && !reaches_end)) return;
    write_batch(written_, ready);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (std::size_t r = written_; r < written_ + ready; ++r) slots_[r % window_] = RunSlot{};
      written_ += ready;
    }
    changed_.notify_all();
    checkpoint(false);
    progress_->update(written_ - begin_, failed_total_);
  }
}

SweepOutcome SweepExecution::run() {
  const auto started = std::chrono::steady_clock::now();
  outcome_.output_path = final_path_;
  outcome_.total_runs = end_ - begin_;
  outcome_.threads = threads_;
  const std::string partial = io::ResultsFileWriter::partial_path_for(final_path_);
  const std::string hash = definition_hash(resolved_yaml_);

  std::size_t elements = 0;
  for (std::size_t v : ensemble_variables_) elements += blank_.trajectories[v].data.size();

  bool fresh = !options_.resume;
  if (options_.resume) {
    if (!std::filesystem::exists(partial)) {
      if (std::filesystem::exists(final_path_))
        throw IoError(final_path_ + " is already complete; there is nothing to resume");
      throw IoError("nothing to resume: " + partial + " does not exist");
    }
    {
      // Refuse another sweep's file before touching it.
      const io::ResultsFileReader reader(partial);
      const io::Provenance& was = reader.info().provenance;
      if (was.definition_hash != hash)
        throw IoError("cannot resume " + partial + ": the sweep definition changed since it was started (" +
                      first_difference(was.resolved_yaml, resolved_yaml_) + ")");
    }
    io::ResumeInfo info;
    try {
      writer_.emplace(io::ResultsFileWriter::resume(final_path_, &info));
      // A kill during the first reservation can leave a short run axis.
      writer_->reserve_runs(static_cast<std::int64_t>(end_ - begin_));
      start_ = static_cast<std::size_t>(info.next_run);
      if (info.checkpoint && !ensemble_variables_.empty()) {
        ensemble_.emplace(sweep::EnsembleAccumulator::import_state(info.checkpoint->state));
        if (ensemble_->size() != elements) throw IoError("cannot resume " + partial + ": its checkpoint does not fit");
      } else if (!ensemble_variables_.empty()) {
        ensemble_.emplace(elements);
      }
    } catch (const io::DamagedPartialError& damaged) {
      // Nothing of it can be trusted: start the range over (same results, more time).
      std::cerr << "arcm sweep: " << damaged.what() << "\narcm sweep: starting the sweep over\n";
      writer_.reset();
      fresh = true;
    }
  }
  if (fresh) {
    if (!options_.resume) {
      if (std::filesystem::exists(final_path_))
        throw IoError(final_path_ + " already exists; choose another output file (-o) or remove it");
      if (std::filesystem::exists(partial))
        throw IoError(partial + " exists from an interrupted sweep: continue it with --resume, or remove it");
    }
    const auto parent = std::filesystem::path(final_path_).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
      throw IoError("cannot write " + final_path_ + ": directory " + parent.string() + " does not exist");
    io::ResultsLayout layout = io::ResultsLayout::from_run(blank_);
    layout.first_run_index = static_cast<std::int64_t>(begin_);
    layout.run_chunk = static_cast<std::int64_t>(batch_);
    layout.trajectory_precision = sweep_.output.single_precision ? io::Precision::float32 : io::Precision::float64;
    if (sweep_.output.all_trajectories) layout.store_trajectories = true;
    else if (sweep_.output.trajectories.empty()) layout.store_trajectories = false;
    else layout.select_trajectories(sweep_.output.trajectories);
    for (const SweepParameter& p : sweep_.parameters)
      layout.parameters.push_back({p.path, "swept parameter " + p.path, p.resolved.front().units(), {}});
    if (sweep_.design == DesignKind::scenarios) {
      std::string names;
      for (std::size_t s = 0; s < sweep_.scenarios.size(); ++s)
        names += (s ? ", " : "") + std::to_string(s) + " = " + sweep_.scenarios[s].name;
      layout.parameters.push_back({"scenario", "index of the base scenario (" + names + ")", "1", {}});
    }
    for (std::size_t v : ensemble_variables_) {
      const Variable& var = blank_.trajectories[v];
      layout.ensemble.push_back({var.name, var.long_name, var.units, var.dims});
    }
    layout.ensemble_statistics = STATISTICS;
    io::Provenance provenance = io::Provenance::of_this_build();
    provenance.resolved_yaml = resolved_yaml_;
    provenance.yaml_kind = "sweep";
    provenance.master_seed = sweep_.seed;
    provenance.threads = threads_;
    provenance.processes = 1;
    provenance.definition_hash = hash;
    provenance.design = to_string(sweep_.design);
    provenance.total_runs = static_cast<std::int64_t>(sweep_.total_runs());
    writer_.emplace(final_path_, layout, provenance);
    // The run axis holds every run of the range from the start, so a partial
    // file shows which runs are still missing (status not_run).
    writer_->reserve_runs(static_cast<std::int64_t>(end_ - begin_));
    start_ = begin_;
    if (!ensemble_variables_.empty()) ensemble_.emplace(elements);
  }

  slots_.assign(window_, RunSlot{});
  next_claim_ = start_;
  written_ = start_;
  last_checkpoint_ = std::chrono::steady_clock::now();
  progress_.emplace(end_ - begin_, start_ - begin_, options_.progress);
  stop_requested.store(false);

  // Runs differ in cost (a run near a Kessler stop or with stiff markets takes
  // longer), so threads claim runs one at a time from a shared counter: the
  // dynamic schedule, bounded by the reorder window.
  std::exception_ptr writer_error;
#pragma omp parallel num_threads(threads_)
  {
#ifdef _OPENMP
    const bool master = omp_get_thread_num() == 0;
#else
    const bool master = true;
#endif
    while (true) {
      std::size_t run = 0;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        bool claimed = false;
        while (!stop_requested.load() && !writer_error && next_claim_ < end_) {
          if (next_claim_ < written_ + window_) {
            run = next_claim_++;
            claimed = true;
            break;
          }
          if (master) {
            // The window is full: the master makes room by writing.
            lock.unlock();
            try {
              write_ready();
            } catch (...) {
              lock.lock();
              writer_error = std::current_exception();
              changed_.notify_all();
              break;
            }
            lock.lock();
            if (next_claim_ >= written_ + window_) changed_.wait(lock);
          } else {
            changed_.wait(lock);
          }
        }
        if (!claimed) break;
      }
      RunSlot slot = execute(run);
      slot.ready = true;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        slots_[run % window_] = std::move(slot);
      }
      changed_.notify_all();
      if (master) {
        try {
          write_ready();
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex_);
          writer_error = std::current_exception();
          changed_.notify_all();
        }
      }
    }
    if (master) {
      // Write every run that was claimed, waiting for the last ones. After a
      // stop request only whole batches are written; the rest are recomputed
      // on resume.
      std::unique_lock<std::mutex> lock(mutex_);
      while (!writer_error && written_ < next_claim_ &&
             (next_claim_ == end_ || next_claim_ - written_ >= batch_)) {
        if (slots_[written_ % window_].ready) {
          const std::size_t before = written_;
          lock.unlock();
          try {
            write_ready();
          } catch (...) {
            lock.lock();
            writer_error = std::current_exception();
            break;
          }
          lock.lock();
          if (written_ == before) changed_.wait(lock); // the batch is not complete yet
        } else {
          changed_.wait(lock);
        }
      }
    }
  }
  if (writer_error) std::rethrow_exception(writer_error);

  outcome_.done = written_ - begin_;
  outcome_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (written_ < end_) {
    // Interrupted: leave NAME.partial with a checkpoint at the last run written.
    checkpoint(true);
    outcome_.interrupted = true;
    progress_->finish(outcome_.done, failed_total_,
                      "interrupted; continue with --resume (" + std::to_string(end_ - written_) + " runs left)");
    writer_.reset(); // closes NAME.partial without renaming it
    return outcome_;
  }
  if (ensemble_) {
    std::vector<io::EnsembleVariable> variables;
    std::size_t offset = 0;
    for (std::size_t v : ensemble_variables_) {
      const Variable& var = blank_.trajectories[v];
      io::EnsembleVariable out{{var.name, var.long_name, var.units, var.dims}, {}};
      const std::size_t n = var.data.size();
      out.values.reserve(n * STATISTICS.size());
      for (const std::string& statistic : STATISTICS) {
        for (std::size_t e = offset; e < offset + n; ++e) {
          double value = 0.0;
          if (statistic == "count") value = static_cast<double>(ensemble_->count(e));
          else if (statistic == "mean") value = ensemble_->mean(e);
          else if (statistic == "std") value = ensemble_->stddev(e);
          else if (statistic == "min") value = ensemble_->min(e);
          else if (statistic == "max") value = ensemble_->max(e);
          else {
            const std::size_t level = static_cast<std::size_t>(&statistic - &STATISTICS[4]);
            value = ensemble_->quantile(level, e);
          }
          out.values.push_back(value);
        }
      }
      offset += n;
      variables.push_back(std::move(out));
    }
    writer_->write_ensemble(STATISTICS, variables);
  }
  writer_->finish();
  progress_->finish(outcome_.done, failed_total_);
  return outcome_;
}

} // namespace

void request_sweep_stop() { stop_requested.store(true); }
bool sweep_stop_requested() { return stop_requested.load(); }

SweepOutcome run_sweep(const SweepDefinition& sweep, const SweepOptions& options) {
  SweepExecution execution(sweep, options);
  return execution.run();
}

} // namespace arcm::driver
