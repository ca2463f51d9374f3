#include "hpc/mpi_sweep.hpp"

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/errors.hpp"
#include "hpc/run_codec.hpp"

namespace arcm::hpc {

namespace {

// Worker -> rank 0: [int32 threads][encoded runs...], the results of the last
// range (none in the first message) and at the same time a request for more.
constexpr int TAG_RESULTS = 1;
// Rank 0 -> worker: uint64 {first, end, exit code}; first == end means stop.
constexpr int TAG_ASSIGN = 2;

int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' ? static_cast<int>(value) : fallback;
}

int default_threads(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

// Computes runs [first, end) with `threads` OpenMP threads (one run each at a time).
std::vector<RunResults> compute_range(const SweepDefinition& sweep, const RunResults& blank,
                                      std::size_t first, std::size_t end, int threads) {
  std::vector<RunResults> results(end - first);
  const auto n = static_cast<long>(end - first);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (long i = 0; i < n; ++i)
    results[static_cast<std::size_t>(i)] =
        driver::compute_sweep_run(sweep, first + static_cast<std::size_t>(i), blank);
  (void)threads;
  return results;
}

void send_assignment(int rank, std::uint64_t first, std::uint64_t end, std::uint64_t code) {
  const std::uint64_t message[3] = {first, end, code};
  MPI_Send(message, 3, MPI_UINT64_T, rank, TAG_ASSIGN, MPI_COMM_WORLD);
}

// Waits for a nonblocking request without spinning: Open MPI's blocking calls
// poll the network in a busy loop, which on a node whose cores are all
// computing takes a core's worth of time from the ranks that compute (about
// a fifth of a 2-rank sweep's CPU on 2 cores). A worker waits for rank 0's
// answer at most once per range of runs, so 100 µs of latency costs nothing.
void wait_sleeping(MPI_Request& request) {
  int done = 0;
  MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  while (!done) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  }
}

int worker(const SweepDefinition& sweep, int threads) {
  const RunResults blank = driver::sweep_blank_results(sweep);
  std::vector<char> buffer;
  auto put_threads = [&] {
    const auto t = static_cast<std::int32_t>(threads);
    buffer.assign(sizeof t, '\0');
    std::memcpy(buffer.data(), &t, sizeof t);
  };
  put_threads();
  while (true) {
    MPI_Request request;
    MPI_Isend(buffer.data(), static_cast<int>(buffer.size()), MPI_BYTE, 0, TAG_RESULTS, MPI_COMM_WORLD,
              &request);
    wait_sleeping(request);
    std::uint64_t message[3];
    MPI_Irecv(message, 3, MPI_UINT64_T, 0, TAG_ASSIGN, MPI_COMM_WORLD, &request);
    wait_sleeping(request);
    if (message[0] == message[1]) return static_cast<int>(message[2]);
    const std::vector<RunResults> runs = compute_range(sweep, blank, message[0], message[1], threads);
    put_threads();
    for (std::size_t i = 0; i < runs.size(); ++i) encode_run(message[0] + i, runs[i], buffer);
  }
}

// Rank 0's own share of the work: a thread that computes ranges with the
// rank's OpenMP threads while the main thread talks MPI and writes.
class LocalWorker {
public:
  LocalWorker(const SweepDefinition& sweep, const RunResults& blank, int threads)
      : sweep_(sweep), blank_(blank), threads_(threads), thread_([this] { loop(); }) {}
  ~LocalWorker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  bool idle() {
    std::lock_guard<std::mutex> lock(mutex_);
    return !busy_ && !done_;
  }
  void assign(std::size_t first, std::size_t end) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      first_ = first;
      end_ = end;
      busy_ = true;
    }
    changed_.notify_all();
  }
  //! The finished range, if any: its first run and results.
  bool take(std::size_t& first, std::vector<RunResults>& runs) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!done_) return false;
    first = first_;
    runs = std::move(runs_);
    done_ = false;
    return true;
  }
  int threads() const { return threads_; }

private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return quit_ || busy_; });
      if (quit_) return;
      const std::size_t first = first_, end = end_;
      lock.unlock();
      std::vector<RunResults> runs = compute_range(sweep_, blank_, first, end, threads_);
      lock.lock();
      runs_ = std::move(runs);
      busy_ = false;
      done_ = true;
    }
  }

  const SweepDefinition& sweep_;
  const RunResults& blank_;
  int threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool busy_{false}, done_{false}, quit_{false};
  std::size_t first_{0}, end_{0};
  std::vector<RunResults> runs_;
  std::thread thread_;
};

driver::SweepOutcome root(const SweepDefinition& sweep, driver::SweepSession& session, int ranks,
                          const std::vector<int>& threads, int local_threads,
                          int (*exit_code_of)(const driver::SweepOutcome&)) {
  // Grain: a few runs per thread, so a rank's threads stay busy while its
  // next request travels, without long tails at the end of the sweep.
  const auto grain = [](int rank_threads) { return static_cast<std::size_t>(2 * std::max(rank_threads, 1)); };
  std::deque<int> waiting; // ranks that asked for work
  std::vector<bool> working(static_cast<std::size_t>(ranks), false);
  std::size_t outstanding = 0; // ranges handed out and not returned
  std::optional<LocalWorker> local;
  if (local_threads > 0) local.emplace(sweep, session.blank(), local_threads);
  bool local_working = false;
  std::vector<char> buffer;
  bool exhausted = false; // every run claimed, or a stop was requested

  // Writing has a thread of its own, so that answering the ranks never waits
  // for a batch to be added to the ensemble statistics and written (tens of
  // milliseconds, during which every rank would finish its range and sit
  // idle). The session's claim, deliver and write_ready may run concurrently.
  std::mutex writer_mutex;
  std::condition_variable writer_wake;
  bool writer_due = false, writer_quit = false;
  std::exception_ptr writer_error;
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    std::unique_lock<std::mutex> lock(writer_mutex);
    while (true) {
      writer_wake.wait(lock, [&] { return writer_due || writer_quit; });
      const bool last = writer_quit;
      writer_due = false;
      lock.unlock();
      try {
        session.write_ready();
      } catch (...) {
        writer_error = std::current_exception();
        writer_failed = true;
        return;
      }
      lock.lock();
      if (last) return;
    }
  });
  auto wake_writer = [&](bool quit) {
    {
      std::lock_guard<std::mutex> lock(writer_mutex);
      writer_due = true;
      writer_quit = writer_quit || quit;
    }
    writer_wake.notify_one();
  };

  while (true) {
    bool progress = false;
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULTS, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int bytes = 0;
      MPI_Get_count(&status, MPI_BYTE, &bytes);
      buffer.resize(static_cast<std::size_t>(bytes));
      MPI_Recv(buffer.data(), bytes, MPI_BYTE, status.MPI_SOURCE, TAG_RESULTS, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      std::size_t offset = sizeof(std::int32_t);
      while (offset < buffer.size()) {
        std::uint64_t run = 0;
        RunResults results = decode_run(buffer, offset, run);
        session.deliver(static_cast<std::size_t>(run), std::move(results));
      }
      if (working[static_cast<std::size_t>(status.MPI_SOURCE)]) --outstanding;
      working[static_cast<std::size_t>(status.MPI_SOURCE)] = false;
      waiting.push_back(status.MPI_SOURCE);
      progress = true;
    }
    std::size_t first = 0;
    std::vector<RunResults> runs;
    if (local && local->take(first, runs)) {
      for (std::size_t i = 0; i < runs.size(); ++i) session.deliver(first + i, std::move(runs[i]));
      local_working = false;
      --outstanding;
      progress = true;
    }
    if (progress) wake_writer(false);
    if (writer_failed) break;
    // Hand out work: rank 0's own threads first, then the waiting ranks.
    if (!exhausted && local && !local_working && local->idle()) {
      const auto [a, b] = session.claim(grain(local->threads()));
      if (a < b) {
        local->assign(a, b);
        local_working = true;
        ++outstanding;
        progress = true;
      }
    }
    while (!exhausted && !waiting.empty()) {
      const int rank = waiting.front();
      const auto [a, b] = session.claim(grain(threads[static_cast<std::size_t>(rank)]));
      if (a == b) break; // window full (wait for results), or nothing left
      send_assignment(rank, a, b, 0);
      waiting.pop_front();
      working[static_cast<std::size_t>(rank)] = true;
      ++outstanding;
      progress = true;
    }
    if (session.written() >= session.end_run() || driver::sweep_stop_requested()) exhausted = true;
    {
      // Nothing can be claimed when every run is: claim() returns empty
      // without the window being the reason.
      const auto probe = session.claim(0);
      if (probe.first >= session.end_run()) exhausted = true;
    }
    if (exhausted && outstanding == 0) break;
    if (!progress) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  wake_writer(true);
  writer.join();
  if (writer_error) {
    local.reset();
    std::rethrow_exception(writer_error);
  }
  local.reset();
  const driver::SweepOutcome outcome = session.close();
  const int code = exit_code_of(outcome);
  // Every worker is waiting for an answer to its last request now.
  for (int rank = 1; rank < ranks; ++rank) send_assignment(rank, 0, 0, static_cast<std::uint64_t>(code));
  return outcome;
}

int exit_code_of_error(const std::exception& e) {
  if (dynamic_cast<const ConfigError*>(&e)) return 3;
  if (dynamic_cast<const IoError*>(&e)) return 4;
  return 5;
}

} // namespace

bool launched_by_mpi() {
  if (env_int("OMPI_COMM_WORLD_SIZE", 1) > 1) return true; // mpirun / mpiexec (Open MPI)
  if (env_int("PMI_SIZE", 1) > 1) return true;             // MPICH-style launchers
  // srun --mpi=pmix sets PMIX_RANK; the size comes from Slurm.
  return std::getenv("PMIX_RANK") != nullptr && env_int("SLURM_NTASKS", 1) > 1;
}

MpiSweepResult run_mpi_sweep(const SweepDefinition& sweep, const driver::SweepOptions& options,
                             int (*exit_code_of)(const driver::SweepOutcome&)) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MpiSweepResult result;
  MPI_Comm_size(MPI_COMM_WORLD, &result.ranks);
  MPI_Comm_rank(MPI_COMM_WORLD, &result.rank);
  const int threads = default_threads(options.threads);
  // Rank 0 computes with its threads too, unless ARCM_MPI_ROOT_THREADS says
  // otherwise (0 = a pure scheduler and writer).
  const int local_threads = result.rank == 0 ? env_int("ARCM_MPI_ROOT_THREADS", threads) : threads;
  std::vector<int> all_threads(static_cast<std::size_t>(result.ranks), 0);
  MPI_Gather(&local_threads, 1, MPI_INT, all_threads.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);

  if (result.rank != 0) {
    int go = 0;
    MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
    result.exit_code = go == 0 ? worker(sweep, threads) : go;
    MPI_Finalize();
    return result;
  }

  driver::SweepOptions root_options = options;
  root_options.processes = result.ranks;
  root_options.threads = 0;
  for (int t : all_threads) root_options.threads += t;
  root_options.threads = std::max(root_options.threads, 1);
  std::optional<driver::SweepSession> session;
  int go = 0;
  std::exception_ptr error;
  try {
    session.emplace(sweep, root_options);
    session->open();
  } catch (const std::exception& e) {
    go = exit_code_of_error(e);
    error = std::current_exception();
  }
  MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (error) {
    MPI_Finalize();
    std::rethrow_exception(error);
  }
  try {
    result.outcome = root(sweep, *session, result.ranks, all_threads, local_threads, exit_code_of);
    result.outcome->threads = threads;
  } catch (const std::exception& e) {
    // Workers wait for rank 0; end the job. NAME.partial stays resumable.
    std::cerr << "arcm sweep (MPI rank 0): " << e.what() << "\n";
    session.reset();
    MPI_Abort(MPI_COMM_WORLD, exit_code_of_error(e));
  }
  session.reset();
  result.exit_code = exit_code_of(*result.outcome);
  MPI_Finalize();
  return result;
}

} // namespace arcm::hpc
