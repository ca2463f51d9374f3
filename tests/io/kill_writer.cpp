// Helper for the kill test in test_io: runs the CrashSweep into argv[1]
// (resuming its NAME.partial when there is one) until done or SIGKILLed.
#include <cstdio>
#include <exception>

#include "crash_sweep.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kill_writer FINAL_PATH\n");
    return 2;
  }
  try {
    arcm::test::CrashSweep{}.run(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kill_writer: %s\n", e.what());
    return 1;
  }
  return 0;
}
