// A progress line for long runs on a terminal: one line redrawn in place ("\r"), cleared
// before any other line is written through log(), so cost lines and progress never mix.
// Disabled (every call a no-op, log() the plain stream) when the output is not a terminal.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

namespace xgrad::cli {

// isatty(stdout).
bool stdout_is_terminal();

// A progress callback (done, total) for long computations whose output is not a bar: silent
// for the first `quiet_seconds`, then at most every `every_seconds` one line on `out`:
// "<label>: 1200 of 10101 entries, about 1m 40s left" (the estimate from the rate so far).
std::function<void(std::size_t, std::size_t)> timed_progress(std::ostream& out, std::string label,
                                                             double quiet_seconds = 2.0, double every_seconds = 10.0);

// "45s", "3m 20s", "2h 5m".
std::string duration_text(double seconds);

class Progress {
 public:
  Progress(std::ostream& out, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Redraws the line: "<label> [#####     ] 45%  6750/15000".
  void show(const std::string& label, std::size_t done, std::size_t total);
  // Erases the line if it is showing.
  void clear();
  // A TrainOptions::progress callback that shows `label`; empty when disabled.
  std::function<void(std::size_t, std::size_t)> callback(std::string label);
  // Where other lines go: it clears the progress line before writing.
  std::ostream& log() { return log_; }

 private:
  class ClearingBuffer : public std::streambuf {
   public:
    explicit ClearingBuffer(Progress& owner) : owner_(owner) {}

   protected:
    int overflow(int c) override;

   private:
    Progress& owner_;
  };

  std::ostream& out_;
  bool enabled_;
  bool showing_ = false;
  ClearingBuffer buffer_;
  std::ostream clearing_log_;
  std::ostream& log_;
};

}  // namespace xgrad::cli
