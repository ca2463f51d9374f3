// `arcm keys`: the scenario keys as the parameter table describes them, and
// config/README.md's key tables regenerated from it.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "scenario/parameter_table.hpp"

namespace arcm::cli {

namespace {

std::string read_whole(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw IoError(path + " is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Write next to `path`, then rename over it, so an interrupted write never
// leaves a half-written reference behind.
void replace_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw IoError("cannot write " + temporary);
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw IoError("cannot replace " + path);
  }
}

// 1-based number of the first line where `a` and `b` differ.
std::size_t first_different_line(const std::string& a, const std::string& b) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) return line;
    if (a[i] == '\n') ++line;
  }
  return line;
}

} // namespace

int command_keys(const Arguments& args) {
  std::string readme;
  bool write = false, check = false;
  std::vector<std::string> sections;
  for (std::size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    if (arg == "--readme") {
      if (a + 1 >= args.size()) throw UsageError("--readme needs a file (config/README.md)");
      readme = args[++a];
    } else if (arg == "--write") {
      write = true;
    } else if (arg == "--check") {
      check = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError("unknown option " + arg + " for 'arcm keys'");
    } else {
      sections.push_back(arg);
    }
  }
  if (readme.empty()) {
    if (write || check) throw UsageError("--write and --check need --readme FILE");
    if (sections.empty()) sections = parameters::key_table_sections();
    for (const std::string& section : sections) {
      try {
        std::cout << "## " << section << "\n\n" << parameters::key_table_markdown(section) << "\n";
      } catch (const Error& e) {
        throw UsageError(e.what());
      }
    }
    return EXIT_OK;
  }
  if (!sections.empty()) throw UsageError("--readme regenerates every table of the file; give no section");
  if (write && check) throw UsageError("give --write or --check, not both");
  const std::string current = read_whole(readme);
  std::string regenerated;
  try {
    regenerated = parameters::regenerate_key_tables(current);
  } catch (const Error& e) {
    throw IoError(readme + ": " + e.what());
  }
  if (check) {
    if (regenerated == current) {
      std::cout << readme << ": every key table matches the parameter table\n";
      return EXIT_OK;
    }
    std::cerr << readme << ":" << first_different_line(current, regenerated)
              << ": a key table differs from the parameter table; regenerate it with `arcm keys --readme "
              << readme << " --write`\n";
    return EXIT_RUN_FAILED;
  }
  if (write) {
    if (regenerated != current) replace_file(readme, regenerated);
    return EXIT_OK;
  }
  std::cout << regenerated;
  return EXIT_OK;
}

} // namespace arcm::cli
