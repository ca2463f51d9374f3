// libFuzzer entry point: the scenario loader (load_scenario_from_string) on
// arbitrary text, as a file in config/scenarios/ so `extends: baseline.yaml`
// and the other presets resolve. scripts/fuzz runs it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  arcm::fuzz::load_text(arcm::fuzz::Loader::scenario, text, ARCM_FUZZ_SCENARIO_PATH);
  return 0;
}
