// Running the xgrad program as a user runs it, from a test: XGRAD_CLI (set by meson test) is
// its path. A CliScratch is a fresh temporary folder per test, removed with it; the program
// runs in its `work` subfolder through /bin/sh, with stdout and stderr captured beside `work`
// (so `work` holds only what the program wrote). Header-only; Boost.Test must be included
// before it (run() stops the test case when XGRAD_CLI is unset).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace xgrad::testing {

// What a run of the program gave: its exit status (-1 when it did not exit normally), stdout
// and stderr.
struct CliResult {
  int status = -1;
  std::string out, err;
};

// `word` quoted for /bin/sh (single quotes; a quote inside becomes '\'').
inline std::string shell_quoted(const std::string& word) {
  std::string q = "'";
  for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The whole file as bytes ("" when it cannot be read).
inline std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `command` with /bin/sh; its exit status, or -1 when it did not exit normally.
inline int run_shell(const std::string& command) {
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// The lines of `text` (without their '\n').
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// "status N", stdout and stderr, for a failed assertion's message.
inline std::string describe(const CliResult& r) {
  return "status " + std::to_string(r.status) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

struct CliScratch {
  std::filesystem::path root, work;

  // `prefix`: the temporary folder's name starts with it (e.g. "xgrad_cli_").
  explicit CliScratch(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root = pattern;
    work = root / "work";
    std::filesystem::create_directory(work);
  }
  CliScratch(const CliScratch&) = delete;
  CliScratch& operator=(const CliScratch&) = delete;
  ~CliScratch() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }

  // Runs `env_prefix xgrad args...` in `work` (each argument quoted for the shell).
  CliResult run(const std::vector<std::string>& args, const std::string& env_prefix = "") const {
    const char* cli = std::getenv("XGRAD_CLI");
    BOOST_TEST_REQUIRE(cli != nullptr, "XGRAD_CLI (the xgrad program's path) is not set; run through meson test");
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
    std::string command = "cd ";
    for (const std::string& part :
         {shell_quoted(work.string()), std::string(" && "), env_prefix, std::string(" "), shell_quoted(cli)}) {
      command += part;
    }
    for (const std::string& a : args) {
      command += ' ';
      command += shell_quoted(a);
    }
    for (const std::string& part : {std::string(" > "), shell_quoted((root / "stdout").string()),
                                    std::string(" 2> "), shell_quoted((root / "stderr").string())}) {
      command += part;
    }
    CliResult r;
    r.status = run_shell(command);
    r.out = file_text(root / "stdout");
    r.err = file_text(root / "stderr");
    return r;
  }

  // Every path below `work`, recursively.
  std::vector<std::string> work_files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(work)) {
      names.push_back(entry.path().string());
    }
    return names;
  }
};

}  // namespace xgrad::testing
