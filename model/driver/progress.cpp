#include "driver/progress.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace arcm::driver {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long>(std::lround(seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", total / 3600, (total % 3600) / 60);
  else if (total >= 60)
    std::snprintf(text, sizeof text, "%ldm%02lds", total / 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lds", total);
  return text;
}

ProgressReporter::ProgressReporter(std::size_t total, std::size_t already_done, Mode mode)
    : total_(total), already_done_(already_done), mode_(mode), started_(std::chrono::steady_clock::now()),
      last_print_(started_) {
  if (mode_ == Mode::automatic) mode_ = isatty(STDERR_FILENO) ? Mode::bar : Mode::log;
}

std::string ProgressReporter::line(std::size_t done, std::size_t failed) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double fresh = static_cast<double>(done - already_done_);
  const double rate = elapsed > 0 ? fresh / elapsed : 0.0;
  const double remaining = rate > 0 ? static_cast<double>(total_ - done) / rate : NAN;
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << done << "/" << total_ << " runs, " << rate << " runs/s, elapsed "
      << format_duration(elapsed) << ", ETA " << format_duration(remaining) << ", " << failed << " failed";
  return out.str();
}

void ProgressReporter::update(std::size_t done, std::size_t failed, bool force) {
  if (mode_ == Mode::quiet) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (mode_ == Mode::bar) {
    if (!force && since < 0.2) return;
    const int width = 30;
    const double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    const int filled = static_cast<int>(fraction * width);
    std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << line(done, failed)
              << "   " << std::flush;
  } else {
    if (!force && since < 5.0) return;
    std::cerr << "arcm sweep: " << line(done, failed) << "\n" << std::flush;
  }
  last_print_ = now;
}

void ProgressReporter::finish(std::size_t done, std::size_t failed, const std::string& note) {
  if (mode_ == Mode::quiet) return;
  if (mode_ == Mode::bar)
    update(done, failed, true), std::cerr << "\n";
  else
    std::cerr << "arcm sweep: " << line(done, failed) << "\n";
  if (!note.empty()) std::cerr << "arcm sweep: " << note << "\n";
}

} // namespace arcm::driver
