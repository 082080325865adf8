#include "gnuplot.hpp"

#include "programs.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace xgrad::cli {

namespace fs = std::filesystem;

std::optional<fs::path> find_gnuplot() { return find_program("gnuplot"); }

namespace {

std::optional<std::string> run_gnuplot_once(const fs::path& gnuplot, const fs::path& script) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return std::string("cannot start gnuplot: ") + std::strerror(errno);
  const fs::path folder = script.has_parent_path() ? script.parent_path() : fs::path(".");
  const std::string name = script.filename().string();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return std::string("cannot start gnuplot: ") + std::strerror(errno);
  }
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    if (::chdir(folder.c_str()) != 0) _exit(126);
    ::execl(gnuplot.c_str(), "gnuplot", name.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
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

}  // namespace xgrad::cli
