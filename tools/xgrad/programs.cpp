#include "programs.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace xgrad::cli {

namespace fs = std::filesystem;

std::optional<fs::path> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

ProgramRun run_program(const fs::path& program, const std::vector<std::string>& arguments, const fs::path& folder) {
  ProgramRun run;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    run.error = errno;
    return run;
  }
  std::vector<std::string> args = {program.string()};
  args.insert(args.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    run.error = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return run;
  }
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    if (!folder.empty() && ::chdir(folder.c_str()) != 0) _exit(126);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  run.started = true;
  ::close(pipe_fds[1]);
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      run.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
  }
  return run;
}

std::optional<std::string> program_output(const fs::path& program, const std::vector<std::string>& arguments) {
  ProgramRun run = run_program(program, arguments);
  if (!run.started || !WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) return std::nullopt;
  return std::move(run.output);
}

}  // namespace xgrad::cli
