#include "gnuplot.hpp"

#include "programs.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include <xgrad/core/error.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::optional<fs::path> find_gnuplot() { return find_program("gnuplot"); }

namespace {

std::optional<std::string> run_gnuplot_once(const fs::path& gnuplot, const fs::path& script) {
  const fs::path folder = script.has_parent_path() ? script.parent_path() : fs::path(".");
  const ProgramRun run = run_program(gnuplot, {script.filename().string()}, folder);
  if (!run.started) return std::string("cannot start gnuplot: ") + std::strerror(run.error);
  const int status = run.status;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  const std::string& output = run.output;
  std::string first_line;
  std::istringstream lines(output);
  while (first_line.empty() && std::getline(lines, first_line)) {
    first_line.erase(0, first_line.find_first_not_of(" \t"));
  }
  if (WIFSIGNALED(status)) return "gnuplot killed by signal " + std::to_string(WTERMSIG(status));
  const int code = WEXITSTATUS(status);
  if (code == 126) return "cannot enter folder " + folder.string();
  if (code == 127) return "cannot run " + gnuplot.string();
  return "exit status " + std::to_string(code) + (first_line.empty() ? "" : ": " + first_line);
}

}  // namespace

std::optional<std::string> run_gnuplot(const fs::path& gnuplot, const fs::path& script,
                                       const std::vector<fs::path>& pngs) {
  const auto started = fs::file_time_type::clock::now();
  std::optional<std::string> failure = run_gnuplot_once(gnuplot, script);
  if (!failure) return failure;
  for (const fs::path& png : pngs) {
    std::error_code ec;
    const auto written = fs::last_write_time(png, ec);
    // A second of slack: some file systems keep coarse times.
    if (!ec && written + std::chrono::seconds(1) >= started) fs::remove(png, ec);
  }
  return failure;
}

void draw_with_gnuplot(const fs::path& script, const std::vector<fs::path>& pngs) {
  const auto gnuplot = find_gnuplot();
  if (!gnuplot) {
    std::cout << "plots: gnuplot not found on PATH: wrote the data and " << script.string()
              << " but no PNGs (install gnuplot-nox)\n";
  } else if (const auto failure = run_gnuplot(*gnuplot, script, pngs)) {
    throw RunError("--plots: gnuplot failed on " + script.string() + ": " + *failure +
                   " (the plot data and script are written; no PNG was left)");
  } else {
    for (const fs::path& png : pngs) std::cout << "wrote " << png.string() << '\n';
  }
}

}  // namespace xgrad::cli
