// Progress of a long job on stderr: a live bar on a terminal, a plain log
// line every few seconds otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace arcm::driver {

class ProgressReporter {
public:
  enum class Mode { automatic, bar, log, quiet };
  //! `total` runs in the job, of which `already_done` were done before it started (resume).
  ProgressReporter(std::size_t total, std::size_t already_done, Mode mode = Mode::automatic);
  //! Report `done` runs finished in total (including already_done), `failed` of them failed.
  void update(std::size_t done, std::size_t failed, bool force = false);
  //! The final line.
  void finish(std::size_t done, std::size_t failed, const std::string& note = "");

private:
  std::string line(std::size_t done, std::size_t failed) const;
  std::size_t total_;
  std::size_t already_done_;
  Mode mode_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_print_;
};

//! "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

} // namespace arcm::driver
