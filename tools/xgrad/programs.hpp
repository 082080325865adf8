// Finding programs on PATH and reading what they print.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace xgrad::cli {

// The first executable regular file named `name` in PATH's folders (an empty entry is the
// current folder); nothing when there is none or PATH is unset.
std::optional<std::filesystem::path> find_program(const std::string& name);

// What running a program gave.
struct ProgramRun {
  bool started = false;  // false: pipe or fork failed (`error` is the errno)
  int error = 0;
  int status = 0;        // the wait status (WIFEXITED, WEXITSTATUS, WIFSIGNALED...)
  std::string output;    // standard output and standard error together
};

// Runs `program` with `arguments` (no shell), standard input from /dev/null, in `folder`
// when one is given (exit status 126 when it cannot be entered; 127 when `program` cannot be
// executed), and waits for it.
ProgramRun run_program(const std::filesystem::path& program, const std::vector<std::string>& arguments,
                       const std::filesystem::path& folder = {});

// Runs `program` with `arguments` (no shell), standard input from /dev/null, and returns what
// it printed on standard output and standard error together when it exits with status 0;
// nothing when it cannot be started, is killed or exits with another status.
std::optional<std::string> program_output(const std::filesystem::path& program,
                                          const std::vector<std::string>& arguments);

}  // namespace xgrad::cli
