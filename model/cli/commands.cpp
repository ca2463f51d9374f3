#include "cli/commands.hpp"

#include <iostream>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "driver/single_run.hpp"
#include "scenario/loader.hpp"

namespace arcm::cli {

namespace {
class UsageError : public Error {
public:
  using Error::Error;
};
} // namespace

std::string usage() {
  return std::string("ARCM ") + VERSION + " (" + GIT_COMMIT + "), the Asteroid Resource Competition Model\n\n" +
         "usage:\n"
         "  arcm run SCENARIO.yaml [-o FILE.h5] [--quiet]\n"
         "      integrate one scenario and write its results file; without -o the file is\n"
         "      runs/<scenario>-<UTC timestamp>.h5\n"
         "  arcm check [--resolved] FILE.yaml...\n"
         "      validate scenario files without running them; --resolved prints each one\n"
         "      fully resolved (every key explicit, extends applied)\n"
         "  arcm --version | --help\n\n"
         "exit codes: 0 ok, 1 run failed, 2 usage, 3 refused input file, 4 file I/O error\n";
}

int command_run(const Arguments& args) {
  driver::SingleRunOptions options;
  bool quiet = false;
  for (std::size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    if (arg == "-o" || arg == "--output") {
      if (a + 1 >= args.size()) throw UsageError(arg + " needs a file name");
      options.output_path = args[++a];
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
  if (options.scenario_path.empty()) throw UsageError("'arcm run' needs a scenario file");
  const driver::SingleRunOutcome outcome = driver::run_scenario_file(options);
  if (!quiet) std::cout << driver::format_run_summary(outcome.scenario, outcome.results);
  std::cout << "results written to " << outcome.output_path << "\n";
  return outcome.results.status == RunStatus::failed ? EXIT_RUN_FAILED : EXIT_OK;
}

int command_check(const Arguments& args) {
  bool resolved = false;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg == "--resolved") resolved = true;
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg + " for 'arcm check'");
    else files.push_back(arg);
  }
  if (files.empty()) throw UsageError("'arcm check' needs at least one file");
  int refused = 0;
  // Check every file, so one command reports every broken file at once.
  for (const std::string& file : files) {
    try {
      const Scenario scenario = load_scenario(file);
      if (resolved) std::cout << to_yaml(scenario);
      else std::cout << file << ": ok (" << scenario.n_actors() << " actors, " << scenario.n_resources()
                     << " resources, " << scenario.schedule.size() << " events)\n";
    } catch (const ConfigError& e) {
      std::cerr << "error: " << e.what() << "\n";
      ++refused;
    }
  }
  return refused == 0 ? EXIT_OK : EXIT_CONFIG_ERROR;
}

} // namespace arcm::cli
