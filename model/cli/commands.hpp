// The `arcm` subcommands. Each parses its own arguments and returns an exit
// code; errors travel as exceptions up to main(), which maps them to codes.
#pragma once

#include <string>
#include <vector>

#include "core/errors.hpp"

namespace arcm::cli {

//! Exit codes of the arcm command.
enum ExitCode : int {
  EXIT_OK = 0,
  EXIT_RUN_FAILED = 1,   //!< the run (or a sweep's run) failed; the file records why
  EXIT_USAGE = 2,        //!< bad command line
  EXIT_CONFIG_ERROR = 3, //!< a scenario or sweep file was refused
  EXIT_IO_ERROR = 4,     //!< a results file could not be read or written
  EXIT_INTERNAL = 5,     //!< anything else: a bug
  EXIT_INTERRUPTED = 6   //!< a sweep stopped by SIGINT/SIGTERM/SIGUSR1; NAME.partial can be resumed
};

//! A bad command line.
class UsageError : public Error {
public:
  using Error::Error;
};

using Arguments = std::vector<std::string>;

int command_run(const Arguments& args);
int command_check(const Arguments& args);
int command_sweep(const Arguments& args);
int command_merge(const Arguments& args);   // hpc_commands.cpp
int command_status(const Arguments& args);  // hpc_commands.cpp
int command_analyze(const Arguments& args); // analyze_command.cpp
int command_keys(const Arguments& args);    // keys_command.cpp
//! SIGINT, SIGTERM and SIGUSR1 ask a running sweep or merge to stop resumably.
void install_stop_handlers();
//! Every command's usage.
std::string usage();
//! One command's usage (every command's for an unknown name).
std::string usage(const std::string& command);

} // namespace arcm::cli
