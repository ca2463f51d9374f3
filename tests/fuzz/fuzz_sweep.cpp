// libFuzzer entry point: the sweep loader (load_sweep_from_string) on
// arbitrary text, as a file in config/sweeps/ so `scenario:
// ../scenarios/baseline.yaml` resolves. scripts/fuzz runs it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  arcm::fuzz::load_text(arcm::fuzz::Loader::sweep, text, ARCM_FUZZ_SWEEP_PATH);
  return 0;
}
