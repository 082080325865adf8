#include "child_program.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace bench {

namespace {

// The number after `"key": ` in a one-line JSON object; NaN when the key is missing.
double json_number(const std::string& line, const std::string& key) {
  const std::string quoted = "\"" + key + "\": ";
  const auto at = line.find(quoted);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(line.c_str() + at + quoted.size(), nullptr);
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::optional<ChildRun> run_timed_child(const std::string& command, std::size_t iterations, const std::string& file) {
  const std::string line_to_run = "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 " + command + " " +
                                  std::to_string(iterations) + " " + shell_quote(file);
  FILE* child = ::popen(line_to_run.c_str(), "r");
  if (child == nullptr) return std::nullopt;
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, child) != nullptr;
  if (::pclose(child) != 0 || !read) return std::nullopt;
  ChildRun run;
  run.us_per_iter = json_number(line, "us_per_iter");
  run.first_cost = json_number(line, "first_cost");
  if (std::isnan(run.us_per_iter)) return std::nullopt;
  return run;
}

bool command_succeeds(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace bench
