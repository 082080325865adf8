// A timed child program, the way the bench runs ../shared/bench/handloop_he and its peers:
// `COMMAND ITERATIONS FILE` runs ITERATIONS training steps on the workload in FILE, times its
// own loop and prints one JSON line with at least "us_per_iter" (and "first_cost", the cost
// at the initial weights).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace bench {

struct ChildRun {
  double us_per_iter = 0.0;
  double first_cost = 0.0;  // NaN when the program does not print one
};

// `text` in single quotes for /bin/sh (a quote inside becomes '\'').
std::string shell_quote(const std::string& text);

// Runs `command ITERATIONS 'file'` through /bin/sh with OPENBLAS_NUM_THREADS=1 and
// OMP_NUM_THREADS=1 in its environment (peers run on one thread) and parses the first line
// of its stdout. `command` is already quoted for the shell (shell_quote). Empty when the
// program cannot be started, exits non-zero or prints no "us_per_iter"; its stderr goes to
// the bench's.
std::optional<ChildRun> run_timed_child(const std::string& command, std::size_t iterations, const std::string& file);

// Whether `command` (quoted for the shell) exits with status 0, its output discarded.
bool command_succeeds(const std::string& command);

}  // namespace bench
