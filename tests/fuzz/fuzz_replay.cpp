// Replays every committed fuzz regression input (tests/data/fuzz_regressions)
// through the loaders in the normal build, so a bug found by fuzzing stays
// fixed. Each input must load or be refused with an arcm::Error, quickly;
// inputs named refused_*.yaml must be refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_loaders.hpp"

namespace fs = std::filesystem;
using arcm::fuzz::Loader;

namespace {

std::vector<fs::path> inputs_in(const std::string& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(ARCM_FUZZ_REGRESSIONS) / folder))
    if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void replay(Loader loader, const std::string& folder, const std::string& pseudo_path) {
  const std::vector<fs::path> files = inputs_in(folder);
  REQUIRE(!files.empty());
  for (const fs::path& file : files) {
    INFO("input " << file.string());
    const auto started = std::chrono::steady_clock::now();
    // Throws (and fails the test) on anything but an arcm::Error. An input
    // whose name starts with `refused_` must be refused, not loaded.
    bool loaded = false;
    CHECK_NOTHROW(loaded = arcm::fuzz::load_text(loader, read_bytes(file), pseudo_path));
    if (file.filename().string().rfind("refused_", 0) == 0) CHECK_FALSE(loaded);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(seconds < 10.0);
  }
}

} // namespace

TEST_CASE("fuzz regressions: scenario inputs load or are refused with arcm::Error", "[fuzz]") {
  replay(Loader::scenario, "scenario", ARCM_FUZZ_SCENARIO_PATH);
}

TEST_CASE("fuzz regressions: sweep inputs load or are refused with arcm::Error", "[fuzz]") {
  replay(Loader::sweep, "sweep", ARCM_FUZZ_SWEEP_PATH);
}
