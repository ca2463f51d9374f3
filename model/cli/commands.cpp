#include "cli/commands.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "driver/single_run.hpp"
#include "driver/sweep_runner.hpp"
#include "hpc/mpi_sweep.hpp"
#include "hpc/shard.hpp"
#include "scenario/loader.hpp"
#include "scenario/sweep_file.hpp"

namespace arcm::cli {

namespace {

// Where --quiet sends what it does not print: a stream with no buffer drops everything.
std::ostream& null_stream() {
  static std::ostream discard(nullptr);
  return discard;
}

// Flush and stop: the sweep finishes the runs in flight, writes them and
// leaves a resumable NAME.partial. SIGUSR1 is what Slurm sends before a time
// limit when asked to (--signal=B:USR1@120).
extern "C" void stop_sweep_on_signal(int) {
  driver::request_sweep_stop();
}

std::size_t parse_count(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-')
    throw UsageError(option + " takes a whole number, got '" + text + "'");
  return static_cast<std::size_t>(value);
}

double parse_seconds(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value >= 0))
    throw UsageError(option + " takes seconds >= 0, got '" + text + "'");
  return value;
}

int exit_code_of(const driver::SweepOutcome& outcome) {
  if (outcome.interrupted) return EXIT_INTERRUPTED;
  return outcome.failed > 0 ? EXIT_RUN_FAILED : EXIT_OK;
}

} // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = stop_sweep_on_signal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGUSR1}) sigaction(signal_number, &action, nullptr);
}

namespace {

// Each command's lines of the usage, in the order the full usage lists them.
struct CommandHelp {
  const char* command;
  const char* text;
};

const std::vector<CommandHelp>& command_help() {
  static const std::vector<CommandHelp> help{
      {"run", "  arcm run SCENARIO.yaml [-o FILE.h5] [--force] [--quiet]\n"
              "      integrate one scenario and write its results file; without -o the file is\n"
              "      runs/<scenario>-<UTC timestamp>.h5; --quiet prints nothing but errors\n"
              "  arcm run --from RESULTS.h5 --run N [-o FILE.h5] [--force] [--quiet]\n"
              "      repeat run N of a sweep alone, from the definition stored in its results file\n"},
      {"sweep",
       "  arcm sweep SWEEP.yaml [-o FILE.h5] [--threads N] [--batch-size N] [--resume] [--force]\n"
       "             [--quiet] [--checkpoint-every SECONDS] [--shard I/N] [--runs-dir DIR]\n"
       "      run a parameter sweep; without -o the file is runs/<sweep name>.h5 (DIR/...);\n"
       "      --threads N: N OpenMP threads (0, the default: every core); --resume continues an\n"
       "      interrupted sweep (FILE.h5.partial) after checking it is the same sweep; the\n"
       "      ensemble state is checkpointed every 10 s (--checkpoint-every; 0 = every batch);\n"
       "      --shard I/N runs only shard I (0 .. N-1) of N contiguous run ranges, by default into\n"
       "      runs/<sweep name>.shard-IIII-of-NNNN.h5; under mpirun the runs are spread over the ranks\n"
       "  arcm sweep --retry-failed RESULTS.h5 [--threads N]\n"
       "      rerun the failed runs of a finished sweep with tolerances 100x tighter and 10x the\n"
       "      step limit, then with the Bulirsch-Stoer stepper; /runs/message records which\n"},
      {"merge", "  arcm merge SHARD.h5... -o FILE.h5 [--resume] [--force] [--quiet]\n"
                "      combine the shard files of one sweep into the file one process would have written;\n"
                "      refuses shards of another sweep definition, duplicated or missing runs\n"},
      {"status", "  arcm status FILE.h5|DIR...\n"
                 "      per file: its runs, done, failed, not run; missing and unfinished shards as the\n"
                 "      --array= list to resubmit (exit 0 when complete without failed runs, else 1)\n"},
      {"analyze",
       "  arcm analyze sobol RESULTS.h5 [--trajectory VAR]... [--metric NAME]... [--json]\n"
       "  arcm analyze morris RESULTS.h5 [--metric NAME]... [--json]\n"
       "      Sobol indices (sobol design) or Morris measures (morris design) of every summary\n"
       "      metric, with bootstrap intervals (--bootstrap N, --confidence C, --seed S), written to\n"
       "      /sensitivity in the file; --trajectory adds per-year indices of a stored trajectory\n"
       "      variable; --metric prints only those outputs\n"
       "  arcm analyze prim RESULTS.h5 --metric NAME (--above X | --below X) [--json]\n"
       "             [--peel-alpha A] [--paste-alpha A] [--min-mass M] [--min-coverage C]\n"
       "      PRIM scenario discovery: the box of parameters where runs with NAME above/below X\n"
       "      concentrate, e.g. --metric 'state_share_cumulative_final[water]' --above 0.5\n"},
      {"check", "  arcm check [--resolved] FILE.yaml...\n"
                "      validate scenario and sweep files without running them; --resolved prints each\n"
                "      one fully resolved (every key explicit, extends applied; a sweep with its base\n"
                "      scenarios inlined)\n"},
      {"keys", "  arcm keys [SECTION...]\n"
               "      every scenario key of each section (default: all) as a Markdown table: type, unit,\n"
               "      default, range, whether a sweep or a schedule may vary it, meaning\n"
               "  arcm keys --readme config/README.md [--write | --check]\n"
               "      that file with its key tables regenerated from the parameter table: printed,\n"
               "      written back in place (--write), or compared (--check: exit 1 when they differ)\n"},
  };
  return help;
}

std::string usage_header() {
  return std::string("ARCM ") + VERSION + " (" + GIT_COMMIT +
         "), the Asteroid Resource Competition Model\n\n";
}

const char* USAGE_FOOTER =
    "existing files: run, sweep and merge refuse an output file that exists (whatever it\n"
    "holds) unless --force (or --overwrite) is given; results are written to NAME.partial\n"
    "and renamed into place, so NAME is never half written\n\n"
    "exit codes: 0 ok, 1 a run failed, 2 usage, 3 refused input file, 4 file I/O error,\n"
    "            6 sweep interrupted (resumable)\n";

} // namespace

std::string usage() {
  std::string text = usage_header() + "usage:\n";
  for (const CommandHelp& help : command_help()) text += help.text;
  return text +
         "  arcm help COMMAND | COMMAND --help   the usage of one command\n"
         "  arcm --version | --help\n\n" +
         USAGE_FOOTER;
}

std::string usage(const std::string& command) {
  for (const CommandHelp& help : command_help())
    if (command == help.command) return usage_header() + "usage:\n" + help.text + "\n" + USAGE_FOOTER;
  return usage();
}

int command_run(const Arguments& args) {
  driver::SingleRunOptions options;
  bool quiet = false;
  std::string from;
  std::optional<std::size_t> run_index;
  for (std::size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    if (arg == "-o" || arg == "--output") {
      if (a + 1 >= args.size()) throw UsageError(arg + " needs a file name");
      options.output_path = args[++a];
    } else if (arg == "--from") {
      if (a + 1 >= args.size()) throw UsageError("--from needs a results file");
      from = args[++a];
    } else if (arg == "--run") {
      if (a + 1 >= args.size()) throw UsageError("--run needs a run index");
      run_index = parse_count("--run", args[++a]);
    } else if (arg == "--force" || arg == "--overwrite") {
      options.overwrite = true;
    } else if (arg == "-q" || arg == "--quiet") {
      quiet = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError("unknown option " + arg + " for 'arcm run'");
    } else if (options.scenario_path.empty()) {
      options.scenario_path = arg;
    } else {
      throw UsageError("'arcm run' takes one scenario file, got a second: " + arg);
    }
  }
  if (!from.empty() || run_index) {
    if (from.empty() || !run_index) throw UsageError("--from and --run go together");
    if (!options.scenario_path.empty()) throw UsageError("give a scenario file or --from, not both");
    const driver::SingleRunOutcome outcome = driver::rerun_from_results(from, *run_index, options);
    if (quiet) return outcome.results.status == RunStatus::failed ? EXIT_RUN_FAILED : EXIT_OK;
    std::cout << driver::format_run_summary(outcome.scenario, outcome.results);
    std::cout << "run " << *run_index << " of " << from << " repeated; results written to "
              << outcome.output_path << "\n";
    return outcome.results.status == RunStatus::failed ? EXIT_RUN_FAILED : EXIT_OK;
  }
  if (options.scenario_path.empty()) throw UsageError("'arcm run' needs a scenario file");
  const driver::SingleRunOutcome outcome = driver::run_scenario_file(options);
  if (!quiet) { // --quiet prints nothing but errors
    std::cout << driver::format_run_summary(outcome.scenario, outcome.results);
    std::cout << "results written to " << outcome.output_path << "\n";
  }
  return outcome.results.status == RunStatus::failed ? EXIT_RUN_FAILED : EXIT_OK;
}

int command_check(const Arguments& args) {
  bool resolved = false;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg == "--resolved")
      resolved = true;
    else if (!arg.empty() && arg[0] == '-')
      throw UsageError("unknown option " + arg + " for 'arcm check'");
    else
      files.push_back(arg);
  }
  if (files.empty()) throw UsageError("'arcm check' needs at least one file");
  int refused = 0;
  // Check every file, so one command reports every broken file at once.
  for (const std::string& file : files) {
    try {
      if (is_sweep_file(file)) {
        const SweepDefinition sweep = load_sweep(file);
        if (resolved)
          std::cout << resolved_sweep_yaml(sweep);
        else
          std::cout << file << ": ok (sweep, " << to_string(sweep.design) << " design, " << sweep.total_runs()
                    << " runs, " << sweep.parameters.size() << " parameters)\n";
        continue;
      }
      const Scenario scenario = load_scenario(file);
      if (resolved)
        std::cout << to_yaml(scenario);
      else
        std::cout << file << ": ok (" << scenario.n_actors() << " actors, " << scenario.n_resources()
                  << " resources, " << scenario.schedule.size() << " events)\n";
    } catch (const ConfigError& e) {
      std::cerr << "error: " << e.what() << "\n";
      ++refused;
    }
  }
  return refused == 0 ? EXIT_OK : EXIT_CONFIG_ERROR;
}

} // namespace arcm::cli

namespace arcm::cli {

int command_sweep(const Arguments& args) {
  driver::SweepOptions options;
  std::string sweep_path;
  std::string retry_file;
  std::string shard_text;
  for (std::size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    auto value = [&]() -> const std::string& {
      if (a + 1 >= args.size()) throw UsageError(arg + " needs a value");
      return args[++a];
    };
    if (arg == "-o" || arg == "--output")
      options.output_path = value();
    else if (arg == "--threads")
      options.threads = static_cast<int>(parse_count(arg, value()));
    else if (arg == "--batch-size")
      options.batch_size = parse_count(arg, value());
    else if (arg == "--resume")
      options.resume = true;
    else if (arg == "--force" || arg == "--overwrite")
      options.overwrite = true;
    else if (arg == "--retry-failed")
      retry_file = value();
    else if (arg == "--checkpoint-every")
      options.checkpoint_interval = parse_seconds(arg, value());
    else if (arg == "--shard")
      shard_text = value();
    else if (arg == "--runs-dir")
      options.runs_dir = value();
    else if (arg == "-q" || arg == "--quiet")
      options.progress = driver::ProgressReporter::Mode::quiet;
    else if (!arg.empty() && arg[0] == '-')
      throw UsageError("unknown option " + arg + " for 'arcm sweep'");
    else if (sweep_path.empty())
      sweep_path = arg;
    else
      throw UsageError("'arcm sweep' takes one sweep file, got a second: " + arg);
  }
  if (!retry_file.empty()) {
    if (!sweep_path.empty() || options.resume)
      throw UsageError("--retry-failed takes the results file alone (its sweep is stored inside)");
    const driver::RetryOutcome retry = driver::retry_failed_runs(retry_file, options);
    std::cout << retry_file << ": " << retry.failed_before << " failed runs; " << retry.recovered
              << " now succeed, " << retry.still_failed << " failed again ("
              << driver::format_duration(retry.wall_seconds)
              << "); /runs/message says what each was retried with\n";
    return retry.still_failed > 0 ? EXIT_RUN_FAILED : EXIT_OK;
  }
  if (sweep_path.empty()) throw UsageError("'arcm sweep' needs a sweep file");
  // More threads than cores only share the cores (and each holds its runs' memory).
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && options.threads > static_cast<int>(cores))
    std::cerr << "warning: --threads " << options.threads << " is more than the " << cores
              << " cores of this machine; the extra threads share them (0 uses every core)\n";
  const SweepDefinition sweep = load_sweep(sweep_path);
  if (!shard_text.empty()) {
    hpc::ShardSpec shard;
    try {
      shard = hpc::parse_shard(shard_text);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    std::tie(options.first_run, options.end_run) = hpc::shard_range(sweep.total_runs(), shard);
    if (options.first_run == options.end_run)
      throw UsageError("--shard " + shard_text + ": the sweep has only " +
                       std::to_string(sweep.total_runs()) +
                       " runs, so this shard would be empty; use fewer shards");
    options.keep_ensemble_inputs = true;
    options.processes = static_cast<int>(shard.count);
    if (options.output_path.empty()) {
      std::filesystem::create_directories(options.runs_dir);
      options.output_path = options.runs_dir + "/" + hpc::shard_file_name(sweep.name, shard);
    }
  }
  install_stop_handlers();
#ifdef ARCM_WITH_MPI
  if (hpc::launched_by_mpi()) {
    if (options.output_path.empty()) {
      std::filesystem::create_directories(options.runs_dir);
      options.output_path = options.runs_dir + "/" + sweep.name + ".h5";
    }
    const hpc::MpiSweepResult mpi = hpc::run_mpi_sweep(sweep, options, exit_code_of);
    if (!mpi.outcome) return mpi.exit_code;
    const driver::SweepOutcome& outcome = *mpi.outcome;
    std::ostream& report =
        options.progress == driver::ProgressReporter::Mode::quiet ? null_stream() : std::cout;
    report << "sweep " << sweep.name << ": " << outcome.done << "/" << outcome.total_runs << " runs on "
           << mpi.ranks << " MPI ranks x " << outcome.threads << " threads in "
           << driver::format_duration(outcome.wall_seconds) << " (" << outcome.ok << " ok, "
           << outcome.kessler << " kessler, " << outcome.failed << " failed this session)\n";
    if (outcome.interrupted)
      std::cerr << "interrupted: continue with  mpirun ... arcm sweep " << sweep_path << " -o "
                << outcome.output_path << " --resume  (or without mpirun)\n";
    else
      report << "results written to " << outcome.output_path << "\n";
    return exit_code_of(outcome);
  }
#endif
  const driver::SweepOutcome outcome = driver::run_sweep(sweep, options);
  // --quiet prints nothing but errors; an interruption is said on stderr, with how to resume.
  const bool quiet = options.progress == driver::ProgressReporter::Mode::quiet;
  std::ostream& report = quiet ? null_stream() : std::cout;
  report << "sweep " << sweep.name << ": " << outcome.done << "/" << outcome.total_runs << " runs on "
         << outcome.threads << " threads in " << driver::format_duration(outcome.wall_seconds) << " ("
         << outcome.ok << " ok, " << outcome.kessler << " kessler, " << outcome.failed
         << " failed this session)\n";
  if (outcome.interrupted) {
    std::cerr << "interrupted: continue with  arcm sweep " << sweep_path << " -o " << outcome.output_path
              << (shard_text.empty() ? "" : " --shard " + shard_text) << " --resume\n";
    return EXIT_INTERRUPTED;
  }
  report << "results written to " << outcome.output_path << "\n";
  if (quiet && outcome.failed > 0)
    std::cerr << "arcm sweep: " << outcome.failed << " of " << outcome.total_runs
              << " runs failed; /runs/message in " << outcome.output_path << " says why\n";
  return exit_code_of(outcome);
}

} // namespace arcm::cli
