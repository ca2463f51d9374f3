// arcm: the command-line front end. Dispatches to a subcommand and turns
// exceptions into messages and exit codes; nothing below main() exits.
#include <exception>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/version.hpp"

int main(int argc, char** argv) {
  using namespace arcm::cli;
  const Arguments all(argv + 1, argv + argc);
  if (all.empty() || all[0] == "-h" || all[0] == "--help" || all[0] == "help") {
    std::cout << (all.size() >= 2 && all[0] == "help" ? usage(all[1]) : usage());
    return all.empty() ? EXIT_USAGE : EXIT_OK;
  }
  if (all[0] == "--version") {
    std::cout << "arcm " << arcm::VERSION << " (" << arcm::GIT_COMMIT << ", " << arcm::BUILD_TYPE << ")\n";
    return EXIT_OK;
  }
  const std::string command = all[0];
  const Arguments args(all.begin() + 1, all.end());
  // `arcm COMMAND --help` (anywhere after the command) prints that command's
  // usage, instead of refusing an unknown option.
  for (const std::string& arg : args)
    if (arg == "-h" || arg == "--help") {
      std::cout << usage(command);
      return EXIT_OK;
    }
  try {
    if (command == "run") return command_run(args);
    if (command == "check") return command_check(args);
    if (command == "sweep") return command_sweep(args);
    if (command == "merge") return command_merge(args);
    if (command == "status") return command_status(args);
    if (command == "analyze") return command_analyze(args);
    if (command == "keys") return command_keys(args);
    std::cerr << "error: unknown command '" << command << "'; see `arcm --help` for the commands\n";
    return EXIT_USAGE;
  } catch (const arcm::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return EXIT_CONFIG_ERROR;
  } catch (const arcm::IoError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return EXIT_IO_ERROR;
  } catch (const UsageError& e) {
    // One line and where to look, not the whole usage.
    std::cerr << "error: " << e.what() << "; see `arcm " << command << " --help`\n";
    return EXIT_USAGE;
  } catch (const arcm::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return EXIT_INTERNAL;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return EXIT_INTERNAL;
  }
}
