#include "progress.hpp"

#include <algorithm>

#include <unistd.h>

#include <chrono>
#include <cmath>

namespace xgrad::cli {

namespace {
constexpr std::size_t bar_width = 30;
}

std::string duration_text(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h " + std::to_string(s / 60 % 60) + "m";
}

std::function<void(std::size_t, std::size_t)> timed_progress(std::ostream& out, std::string label,
                                                             double quiet_seconds, double every_seconds) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  auto next = std::make_shared<double>(quiet_seconds);
  return [&out, label = std::move(label), start, next, every_seconds](std::size_t done, std::size_t total) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed < *next || done == 0 || done >= total) return;
    *next = elapsed + every_seconds;
    const double left = elapsed / static_cast<double>(done) * static_cast<double>(total - done);
    out << label << ": " << done << " of " << total << " entries, about " << duration_text(left) << " left"
        << std::endl;
  };
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

Progress::Progress(std::ostream& out, bool enabled)
    : out_(out), enabled_(enabled), buffer_(*this), clearing_log_(&buffer_), log_(enabled ? clearing_log_ : out) {}

Progress::~Progress() { clear(); }

void Progress::show(const std::string& label, std::size_t done, std::size_t total) {
  if (!enabled_ || total == 0) return;
  const std::size_t filled = bar_width * done / total;
  out_ << "\r\033[K" << label << " [" << std::string(filled, '#') << std::string(bar_width - filled, ' ') << "] "
       << 100 * done / total << "%  " << done << '/' << total << std::flush;
  showing_ = true;
}

void Progress::clear() {
  if (!showing_) return;
  out_ << "\r\033[K" << std::flush;
  showing_ = false;
}

std::function<void(std::size_t, std::size_t)> Progress::callback(std::string label) {
  if (!enabled_) return {};
  return [this, label = std::move(label)](std::size_t done, std::size_t total) { show(label, done, total); };
}

int Progress::ClearingBuffer::overflow(int c) {
  if (c == traits_type::eof()) return traits_type::not_eof(c);
  owner_.clear();
  owner_.out_.put(static_cast<char>(c));
  if (c == '\n') owner_.out_.flush();
  return c;
}

}  // namespace xgrad::cli
