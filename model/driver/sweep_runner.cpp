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
#include "driver/definition_diff.hpp"
#include "driver/output_file.hpp"
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
const std::vector<std::string> STATISTICS{"count", "mean", "std", "min", "q05",
                                          "q25",   "q50",  "q75", "q95", "max"};

// One batch's ensemble update cut into element ranges that any thread may
// take (EnsembleAccumulator::add_runs): each range sees the batch's runs in
// run order, and the ranges are disjoint, so who does which range changes no
// bit of the result. It lets the computing threads share the one serial part
// of a sweep, which at ~2 ms per baseline run would otherwise cap a sweep at
// ~500 runs/s however many threads compute.
struct EnsembleJob {
  struct Range {
    std::size_t variable; // index into the run's trajectories
    std::size_t first;    // first value of that variable's data
    std::size_t last;     // one past the last
    std::size_t element;  // ensemble element of `first`
  };
  std::vector<const RunResults*> runs; // contributing runs of the batch, in run order
  std::vector<Range> ranges;
  std::atomic<std::size_t> next{0}; // next range to take
  std::size_t helpers{0};           // threads other than the writer inside take_ranges (under the mutex)

  // Values per range: a few times the runs of a batch keeps a range at a
  // millisecond or so, enough to outweigh taking it.
  static constexpr std::size_t RANGE_VALUES = 2048;

  EnsembleJob(std::vector<const RunResults*> contributing, const std::vector<std::size_t>& variables)
      : runs(std::move(contributing)) {
    if (runs.empty()) return;
    std::size_t element = 0;
    for (std::size_t v : variables) {
      const std::size_t size = runs.front()->trajectories[v].data.size();
      for (std::size_t first = 0; first < size; first += RANGE_VALUES) {
        const std::size_t last = std::min(size, first + RANGE_VALUES);
        ranges.push_back({v, first, last, element + first});
      }
      element += size;
    }
  }

  // Takes ranges until none is left.
  void take_ranges(sweep::EnsembleAccumulator& ensemble) {
    std::vector<const double*> values(runs.size());
    while (true) {
      const std::size_t index = next.fetch_add(1);
      if (index >= ranges.size()) return;
      const Range& range = ranges[index];
      for (std::size_t r = 0; r < runs.size(); ++r)
        values[r] = runs[r]->trajectories[range.variable].data.data() + range.first;
      ensemble.add_runs(values.data(), values.size(), range.element,
                        range.element + (range.last - range.first));
    }
  }
};

// Indices (into blank.trajectories) of the variables the sweep keeps statistics of.
std::vector<std::size_t> ensemble_variable_indices(const SweepDefinition& sweep, const RunResults& blank) {
  std::vector<std::size_t> indices;
  for (std::size_t v = 0; v < blank.trajectories.size(); ++v) {
    const std::string& name = blank.trajectories[v].name;
    const auto& chosen = sweep.output.ensemble;
    if (sweep.output.all_ensemble || std::find(chosen.begin(), chosen.end(), name) != chosen.end())
      indices.push_back(v);
  }
  return indices;
}

// The /ensemble variables from an accumulator fed the flattened runs.
std::vector<io::EnsembleVariable> ensemble_output(const sweep::EnsembleAccumulator& ensemble,
                                                  const RunResults& blank,
                                                  const std::vector<std::size_t>& variables) {
  std::vector<io::EnsembleVariable> out;
  std::size_t offset = 0;
  for (std::size_t v : variables) {
    const Variable& var = blank.trajectories[v];
    io::EnsembleVariable item{{var.name, var.long_name, var.units, var.dims}, {}};
    const std::size_t n = var.data.size();
    item.values.reserve(n * STATISTICS.size());
    for (std::size_t statistic = 0; statistic < STATISTICS.size(); ++statistic) {
      const std::string& name = STATISTICS[statistic];
      for (std::size_t e = offset; e < offset + n; ++e) {
        double value = 0.0;
        if (name == "count")
          value = static_cast<double>(ensemble.count(e));
        else if (name == "mean")
          value = ensemble.mean(e);
        else if (name == "std")
          value = ensemble.stddev(e);
        else if (name == "min")
          value = ensemble.min(e);
        else if (name == "max")
          value = ensemble.max(e);
        else
          value = ensemble.quantile(statistic - 4, e); // q05 .. q95 follow min
        item.values.push_back(value);
      }
    }
    offset += n;
    out.push_back(std::move(item));
  }
  return out;
}

class SweepExecution {
public:
  SweepExecution(const SweepDefinition& sweep, const SweepOptions& options);
  SweepOutcome run();

  // The steps of run() without its OpenMP loop, for SweepSession.
  void open();
  std::pair<std::size_t, std::size_t> claim(std::size_t count);
  void deliver(std::size_t run, RunResults&& results);
  // Master thread only: write the contiguous finished runs from written_ on,
  // in whole batches (a short one only at the end of the range).
  void write_ready();
  SweepOutcome conclude();
  std::size_t end() const { return end_; }
  std::size_t batch() const { return batch_; }
  std::size_t written() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return written_;
  }
  const RunResults& blank() const { return blank_; }

private:
  RunSlot execute(std::size_t run) const;
  void write_batch(std::size_t first, std::size_t count);
  void checkpoint(bool force);

  const SweepDefinition& sweep_;
  SweepOptions options_;
  std::size_t begin_{0}, end_{0}; // this file's run range [begin_, end_)
  std::size_t start_{0};          // first run computed in this session
  std::size_t batch_{64};
  std::size_t window_{256};
  int threads_{1};
  RunResults blank_;                            // layout template and result of runs that never started
  std::vector<std::size_t> ensemble_variables_; // indices into blank_.trajectories
  std::optional<sweep::EnsembleAccumulator> ensemble_;
  std::optional<io::ResultsFileWriter> writer_;
  std::string final_path_;
  std::string resolved_yaml_;

  // Whether other threads may help with the ensemble update (run() with
  // more than one thread), and the batch's update they may help with now.
  bool share_ensemble_{false};
  EnsembleJob* ensemble_job_{nullptr}; // under mutex_
  bool help_with_ensemble(std::unique_lock<std::mutex>& lock);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<RunSlot> slots_;
  // Runs delivered so far (under mutex_). The master thread notes it before it
  // lets go of the lock to write, and waits only while it is unchanged: a run
  // delivered while the master was writing must not be a lost wake-up.
  std::size_t deliveries_{0};
  std::size_t next_claim_{0};
  std::size_t written_{0};
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::optional<ProgressReporter> progress_;
  SweepOutcome outcome_;
  std::size_t failed_total_{0};
  std::chrono::steady_clock::time_point started_;
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

  blank_ = sweep_blank_results(sweep);
  ensemble_variables_ = ensemble_variable_indices(sweep, blank_);
  resolved_yaml_ = resolved_sweep_yaml(sweep);
  final_path_ = options.output_path;
  if (final_path_.empty()) {
    std::filesystem::create_directories(options.runs_dir);
    final_path_ = (std::filesystem::path(options.runs_dir) / (sweep.name + ".h5")).string();
  }
}

// A slot for run `run` with its seed and the values /parameters records for it
// (the swept values, then the scenario index for a scenarios design).
RunSlot slot_for_run(const SweepDefinition& sweep, std::size_t run) {
  RunSlot slot;
  slot.seed = sweep::seed_for(sweep.seed, run);
  std::size_t scenario_index = 0;
  slot.parameter_values.assign(sweep.parameters.size(), 0.0);
  sweep.run_point(run, scenario_index, slot.parameter_values.data());
  if (sweep.design == DesignKind::scenarios)
    slot.parameter_values.push_back(static_cast<double>(scenario_index));
  return slot;
}

RunSlot SweepExecution::execute(std::size_t run) const {
  RunSlot slot = slot_for_run(sweep_, run);
  slot.results = compute_sweep_run(sweep_, run, blank_);
  return slot;
}

void SweepExecution::write_batch(std::size_t first, std::size_t count) {
  std::vector<io::RunRecord> records;
  records.reserve(count);
  // Failed runs stay out of the ensemble (their trajectories stop early for
  // numerical reasons, not for model reasons), so that --retry-failed can
  // add them later without counting any part twice.
  if (ensemble_) {
    std::vector<const RunResults*> contributing;
    for (std::size_t r = first; r < first + count; ++r)
      if (slots_[r % window_].results.status != RunStatus::failed)
        contributing.push_back(&slots_[r % window_].results);
    EnsembleJob job(std::move(contributing), ensemble_variables_);
    if (share_ensemble_) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ensemble_job_ = &job;
      }
      changed_.notify_all(); // threads waiting for room in the window can help
    }
    job.take_ranges(*ensemble_);
    if (share_ensemble_) {
      // Every range is taken; wait until the helpers have finished theirs.
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return job.helpers == 0; });
      ensemble_job_ = nullptr;
    }
  }
  for (std::size_t r = first; r < first + count; ++r) {
    RunSlot& slot = slots_[r % window_];
    switch (slot.results.status) {
    case RunStatus::ok: ++outcome_.ok; break;
    case RunStatus::kessler: ++outcome_.kessler; break;
    default:
      ++outcome_.failed;
      ++failed_total_;
      break;
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
      while (written_ + ready < next_claim_ && ready < batch_ && slots_[(written_ + ready) % window_].ready)
        ++ready;
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

void SweepExecution::open() {
  started_ = std::chrono::steady_clock::now();
  // Forget a stop of an earlier sweep in this process, but not one that
  // arrives while the file is being created or rebuilt.
  stop_requested.store(false);
  outcome_.output_path = final_path_;
  outcome_.total_runs = end_ - begin_;
  outcome_.threads = threads_;
  const std::string partial = io::ResultsFileWriter::partial_path_for(final_path_);
  const std::string hash = definition_hash(resolved_yaml_);

  std::size_t elements = 0;
  for (std::size_t v : ensemble_variables_) elements += blank_.trajectories[v].data.size();

  // A sweep still writing this file (a second `arcm sweep` on one output):
  // neither resuming nor starting over may touch it.
  if (io::locked_by_another_process(partial))
    throw IoError(partial + " is being written by another ARCM process right now (it holds the file's lock): "
                            "wait for it to finish, or stop it first");
  bool fresh = !options_.resume;
  if (options_.resume) {
    if (std::filesystem::exists(partial) && std::filesystem::exists(final_path_))
      throw IoError(partial + " is left from an interrupted --retry-failed of the complete " + final_path_ +
                    ", which is intact: remove " + partial + " and retry again");
    if (!std::filesystem::exists(partial)) {
      if (std::filesystem::exists(final_path_))
        throw IoError(final_path_ + " is already complete; there is nothing to resume");
      throw IoError("nothing to resume: " + partial + " does not exist");
    }
    {
      // Refuse another sweep's file before touching it. A partial that cannot
      // be opened (a write that failed on a full disk leaves it shorter than
      // its superblock says) is left to resume(), which tells damaged from foreign.
      std::optional<io::ResultsFileReader> reader;
      try {
        reader.emplace(partial);
      } catch (const IoError&) {
      }
      if (reader && reader->info().provenance.definition_hash != hash)
        throw IoError("cannot resume " + partial + ": the sweep definition changed since it was started (" +
                      describe_definition_change(reader->info().provenance.resolved_yaml, resolved_yaml_) +
                      ")");
    }
    io::ResumeInfo info;
    try {
      writer_.emplace(io::ResultsFileWriter::resume(final_path_, &info));
      if (info.first_run_index != static_cast<std::int64_t>(begin_))
        throw IoError("cannot resume " + partial + ": it holds runs from " +
                      std::to_string(info.first_run_index) + " on, not from " + std::to_string(begin_) +
                      " (another shard?)");
      start_ = static_cast<std::size_t>(info.next_run);
      if (info.checkpoint && !ensemble_variables_.empty()) {
        ensemble_.emplace(sweep::EnsembleAccumulator::import_state(info.checkpoint->state));
        if (ensemble_->size() != elements)
          throw IoError("cannot resume " + partial + ": its checkpoint does not fit");
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
      refuse_existing_output(final_path_, options_.overwrite);
      if (std::filesystem::exists(partial) && !options_.overwrite)
        throw IoError(partial +
                      " exists from an interrupted sweep: continue it with --resume, or add --force "
                      "to start over");
    }
    const auto parent = std::filesystem::path(final_path_).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
      throw IoError("cannot write " + final_path_ + ": directory " + parent.string() + " does not exist");
    io::ResultsLayout layout = io::ResultsLayout::from_run(blank_);
    layout.first_run_index = static_cast<std::int64_t>(begin_);
    layout.run_chunk = static_cast<std::int64_t>(batch_);
    layout.compress_trajectories = sweep_.output.compress;
    layout.trajectory_precision =
        sweep_.output.single_precision ? io::Precision::float32 : io::Precision::float64;
    // A shard also stores every ensemble variable in float64, so that `arcm
    // merge` can feed all runs to one accumulator in run order.
    const bool shard_copies = options_.keep_ensemble_inputs && !ensemble_variables_.empty();
    std::vector<std::string> stored = sweep_.output.trajectories;
    if (shard_copies && !sweep_.output.all_trajectories)
      for (std::size_t v : ensemble_variables_)
        if (std::find(stored.begin(), stored.end(), blank_.trajectories[v].name) == stored.end())
          stored.push_back(blank_.trajectories[v].name);
    if (sweep_.output.all_trajectories)
      layout.store_trajectories = true;
    else if (stored.empty())
      layout.store_trajectories = false;
    else
      layout.select_trajectories(stored);
    if (shard_copies) layout.trajectory_precision = io::Precision::float64;
    for (const SweepParameter& p : sweep_.parameters)
      layout.parameters.push_back({p.path, p.resolved.front().long_name(), p.resolved.front().units(), {}});
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
    provenance.processes = options_.processes;
    provenance.definition_hash = hash;
    provenance.design = to_string(sweep_.design);
    provenance.total_runs = static_cast<std::int64_t>(sweep_.total_runs());
    writer_.emplace(final_path_, layout, provenance);
    // The run axis grows with the runs written rather than being reserved up
    // front: reserving a million-run axis makes HDF5 hold memory in
    // proportion to it (measured: +20 MiB at 10^5 runs), and the root
    // attribute total_runs already says how many runs are missing.
    start_ = begin_;
    if (!ensemble_variables_.empty()) ensemble_.emplace(elements);
  }

  slots_.assign(window_, RunSlot{});
  next_claim_ = start_;
  written_ = start_;
  last_checkpoint_ = std::chrono::steady_clock::now();
  progress_.emplace(end_ - begin_, start_ - begin_, options_.progress);
}

// claim(), deliver() and written() may be called by one thread while another
// writes (write_ready), as the MPI root does; they hold the slots' mutex.
std::pair<std::size_t, std::size_t> SweepExecution::claim(std::size_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t first = next_claim_;
  if (stop_requested.load()) return {first, first};
  next_claim_ = std::min({end_, written_ + window_, first + count});
  return {first, next_claim_};
}

void SweepExecution::deliver(std::size_t run, RunResults&& results) {
  RunSlot slot = slot_for_run(sweep_, run);
  slot.results = std::move(results);
  slot.ready = true;
  std::lock_guard<std::mutex> lock(mutex_);
  slots_[run % window_] = std::move(slot);
  ++deliveries_;
}

// Called with the lock held by a thread other than the writer: helps with the
// batch's ensemble update if one is waiting for hands. Returns with the lock
// held, true when it helped.
bool SweepExecution::help_with_ensemble(std::unique_lock<std::mutex>& lock) {
  EnsembleJob* job = ensemble_job_;
  if (job == nullptr || job->next.load() >= job->ranges.size()) return false;
  ++job->helpers;
  lock.unlock();
  job->take_ranges(*ensemble_);
  lock.lock();
  --job->helpers;
  changed_.notify_all();
  return true;
}

SweepOutcome SweepExecution::run() {
  open();
  share_ensemble_ = threads_ > 1 && ensemble_.has_value();

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
          if (!master && help_with_ensemble(lock)) continue;
          if (next_claim_ < written_ + window_) {
            run = next_claim_++;
            claimed = true;
            break;
          }
          if (master) {
            // The window is full: the master makes room by writing.
            const std::size_t seen = deliveries_;
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
            changed_.wait(lock, [&] {
              return next_claim_ < written_ + window_ || deliveries_ != seen || stop_requested.load();
            });
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
        ++deliveries_;
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
          const std::size_t before = written_, seen = deliveries_;
          lock.unlock();
          try {
            write_ready();
          } catch (...) {
            lock.lock();
            writer_error = std::current_exception();
            break;
          }
          lock.lock();
          // The batch is not complete yet: wait for another run, unless one
          // arrived while writing (the last of them may already have).
          if (written_ == before) changed_.wait(lock, [&] { return deliveries_ != seen; });
        } else {
          changed_.wait(lock);
        }
      }
    }
  }
  if (writer_error) std::rethrow_exception(writer_error);
  return conclude();
}

SweepOutcome SweepExecution::conclude() {
  // After a stop only whole batches are written; the rest are recomputed on resume.
  while (written_ < next_claim_ && (next_claim_ == end_ || next_claim_ - written_ >= batch_)) {
    const std::size_t before = written_;
    write_ready();
    if (written_ == before) break; // a claimed run was never delivered
  }
  outcome_.done = written_ - begin_;
  outcome_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (written_ < end_) {
    // Interrupted: leave NAME.partial with a checkpoint at the last run written.
    checkpoint(true);
    outcome_.interrupted = true;
    progress_->finish(outcome_.done, failed_total_,
                      "interrupted; continue with --resume (" + std::to_string(end_ - written_) +
                          " runs left)");
    writer_.reset(); // closes NAME.partial without renaming it
    return outcome_;
  }
  if (ensemble_)
    writer_->write_ensemble(STATISTICS, ensemble_output(*ensemble_, blank_, ensemble_variables_));
  // The final accumulator state stays in the file for --retry-failed.
  writer_->write_checkpoint(static_cast<std::int64_t>(end_),
                            ensemble_ ? ensemble_->export_state() : std::vector<double>{});
  writer_->finish(true);
  progress_->finish(outcome_.done, failed_total_);
  return outcome_;
}

} // namespace

RunResults sweep_blank_results(const SweepDefinition& sweep) {
  Scenario template_scenario = sweep.scenarios.front();
  template_scenario.output.all_variables = true;
  return blank_results(template_scenario);
}

RunResults compute_sweep_run(const SweepDefinition& sweep, std::size_t run, const RunResults& blank) {
  // Failures stay inside the run: the sweep records them and goes on.
  try {
    Scenario scenario = sweep.scenario_for_run(run);
    scenario.output.all_variables = true;
    scenario.integrator.wall_time_limit = sweep.run_time_limit;
    return simulate(scenario);
  } catch (const std::exception& e) {
    RunResults results = blank;
    results.status = RunStatus::failed;
    results.message = std::string("run not started: ") + e.what();
    return results;
  }
}

struct SweepSession::Impl {
  Impl(const SweepDefinition& sweep, const SweepOptions& options) : execution(sweep, options) {}
  SweepExecution execution;
};

SweepSession::SweepSession(const SweepDefinition& sweep, const SweepOptions& options)
    : impl_(std::make_unique<Impl>(sweep, options)) {}
SweepSession::~SweepSession() = default;
void SweepSession::open() {
  impl_->execution.open();
}
std::pair<std::size_t, std::size_t> SweepSession::claim(std::size_t count) {
  return impl_->execution.claim(count);
}
void SweepSession::deliver(std::size_t run, RunResults&& results) {
  impl_->execution.deliver(run, std::move(results));
}
void SweepSession::write_ready() {
  impl_->execution.write_ready();
}
SweepOutcome SweepSession::close() {
  return impl_->execution.conclude();
}
std::size_t SweepSession::end_run() const {
  return impl_->execution.end();
}
std::size_t SweepSession::batch_size() const {
  return impl_->execution.batch();
}
std::size_t SweepSession::written() const {
  return impl_->execution.written();
}
const RunResults& SweepSession::blank() const {
  return impl_->execution.blank();
}

namespace {

// One retry attempt's settings, as recorded in the run's message.
struct RetrySetting {
  Stepper stepper;
  double relative_tolerance;
  double absolute_tolerance;
  long max_steps;
  std::string describe() const {
    // The stepper as a scenario file names it.
    const parameters::Parameter<IntegratorSettings>* row = parameters::table().integrator.find("stepper");
    std::ostringstream text;
    text << row->about.choices.at(static_cast<std::size_t>(stepper)) << " with rtol " << relative_tolerance
         << ", atol " << absolute_tolerance << ", max_steps " << max_steps;
    return text.str();
  }
};

RunResults retry_one(const SweepDefinition& sweep, std::size_t run, const std::string& first_message,
                     const RunResults& blank) {
  Scenario scenario;
  try {
    scenario = sweep.scenario_for_run(run);
  } catch (const std::exception& e) {
    RunResults results = blank;
    results.status = RunStatus::failed;
    results.message = std::string("not retried: the run's parameters are invalid: ") + e.what();
    return results;
  }
  scenario.output.all_variables = true;
  scenario.integrator.wall_time_limit = sweep.run_time_limit;
  const IntegratorSettings original = scenario.integrator;
  const std::vector<RetrySetting> settings{{original.stepper, original.relative_tolerance / 100,
                                            original.absolute_tolerance / 100, original.max_steps * 10},
                                           {Stepper::bulirsch_stoer, original.relative_tolerance / 100,
                                            original.absolute_tolerance / 100, original.max_steps * 10}};
  RunResults results;
  std::string tried;
  for (const RetrySetting& setting : settings) {
    scenario.integrator.stepper = setting.stepper;
    scenario.integrator.relative_tolerance = setting.relative_tolerance;
    scenario.integrator.absolute_tolerance = setting.absolute_tolerance;
    scenario.integrator.max_steps = setting.max_steps;
    results = simulate(scenario);
    tried += (tried.empty() ? "" : "; then ") + setting.describe();
    if (results.status != RunStatus::failed) {
      results.message = "retried with " + setting.describe() +
                        (results.message.empty() ? "" : ": " + results.message) +
                        " (first attempt: " + first_message + ")";
      return results;
    }
  }
  results.message = "failed again after retries (" + tried + "): " + results.message +
                    " (first attempt: " + first_message + ")";
  return results;
}

} // namespace

RetryOutcome retry_failed_runs(const std::string& results_path, const SweepOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RetryOutcome outcome;
  outcome.path = results_path;
  std::vector<std::size_t> failed;
  std::vector<std::string> messages;
  std::optional<io::Checkpoint> saved;
  std::string resolved;
  std::int64_t first_run = 0;
  {
    const io::ResultsFileReader reader(results_path);
    const io::Provenance& provenance = reader.info().provenance;
    if (provenance.yaml_kind != "sweep")
      throw IoError(results_path + " holds a single run, not a sweep: rerun it with arcm run instead");
    resolved = provenance.resolved_yaml;
    const std::vector<RunStatus> status = reader.run_status();
    const io::NumericArray runs = reader.read_numeric("runs", "run");
    messages = reader.read_strings("runs", "message");
    for (std::size_t i = 0; i < status.size(); ++i)
      if (status[i] == RunStatus::failed) failed.push_back(static_cast<std::size_t>(runs.values[i]));
    if (!runs.values.empty()) first_run = static_cast<std::int64_t>(runs.values.front());
    saved = reader.read_checkpoint();
  }
  outcome.failed_before = failed.size();
  if (failed.empty()) return outcome;

  const SweepDefinition sweep = load_sweep_from_string(resolved, results_path + "#resolved_yaml");
  const RunResults blank = sweep_blank_results(sweep);
  const std::vector<std::size_t> ensemble_variables = ensemble_variable_indices(sweep, blank);
  std::optional<sweep::EnsembleAccumulator> ensemble;
  if (!ensemble_variables.empty()) {
    if (!saved)
      throw IoError(results_path +
                    " has no final ensemble state (/checkpoint), so retried runs could not join "
                    "its ensemble statistics; it was written by an older ARCM");
    ensemble.emplace(sweep::EnsembleAccumulator::import_state(saved->state));
  }

#ifdef _OPENMP
  outcome.threads = options.threads > 0 ? options.threads : omp_get_max_threads();
#endif
  std::optional<io::ResultsFileWriter> writer;
  writer.emplace(io::ResultsFileWriter::update(results_path));
  try {
    // Retried runs are few; they go in windows so memory stays bounded anyway.
    const std::size_t window = 64;
    for (std::size_t begin = 0; begin < failed.size(); begin += window) {
      const std::size_t end = std::min(failed.size(), begin + window);
      std::vector<RunSlot> slots(end - begin);
#pragma omp parallel for schedule(dynamic, 1) num_threads(outcome.threads)
      for (std::size_t i = begin; i < end; ++i) {
        const std::size_t run = failed[i];
        RunSlot& slot = slots[i - begin];
        slot = slot_for_run(sweep, run);
        const std::size_t row = run - static_cast<std::size_t>(first_run);
        slot.results = retry_one(sweep, run, row < messages.size() ? messages[row] : "", blank);
      }
      for (std::size_t i = begin; i < end; ++i) {
        RunSlot& slot = slots[i - begin];
        if (slot.results.status == RunStatus::failed) {
          ++outcome.still_failed;
        } else {
          ++outcome.recovered;
          if (ensemble) EnsembleJob({&slot.results}, ensemble_variables).take_ranges(*ensemble);
        }
        writer->append_runs(static_cast<std::int64_t>(failed[i]),
                            {{&slot.results, slot.parameter_values, slot.seed}});
      }
    }
    if (ensemble) writer->write_ensemble(STATISTICS, ensemble_output(*ensemble, blank, ensemble_variables));
    writer->write_checkpoint(saved ? saved->next_run : first_run,
                             ensemble ? ensemble->export_state() : std::vector<double>{});
    writer->finish(true);
  } catch (...) {
    // The original file is untouched; close and drop the half-made copy.
    const std::string partial = writer->partial_path();
    writer.reset();
    std::filesystem::remove(partial);
    throw;
  }
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

void request_sweep_stop() {
  stop_requested.store(true);
}
bool sweep_stop_requested() {
  return stop_requested.load();
}

SweepOutcome run_sweep(const SweepDefinition& sweep, const SweepOptions& options) {
  SweepExecution execution(sweep, options);
  return execution.run();
}

} // namespace arcm::driver
