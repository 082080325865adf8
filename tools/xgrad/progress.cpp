#include "progress.hpp"

#include <unistd.h>

namespace xgrad::cli {

namespace {
constexpr std::size_t bar_width = 30;
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
