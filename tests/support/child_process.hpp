// Running a piece of a test in a forked child process, under resource limits that would be
// unsafe to set on the test runner itself (address space, file size), and reading back what
// it reported. The child runs `body` only (no Boost.Test macros there) and ends with _exit.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include <xtensor/xbuilder.hpp>

#include <xgrad/core/tensor.hpp>
#include <xgrad/core/threads.hpp>

namespace xgrad::testing {

// Whether this build runs under AddressSanitizer, whose shadow memory needs terabytes of
// address space: an RLIMIT_AS is then not set (tests of memory bounds check less).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool address_sanitizer = true;
#else
inline constexpr bool address_sanitizer = false;
#endif

// Runs `body` in a child; returns what it returned, or "exception: <what>" when it threw,
// or "killed by signal N". Limits: the child's address space may grow by
// `extra_address_space` bytes beyond what it has at the fork (not set under
// AddressSanitizer); `file_size` is its RLIMIT_FSIZE in bytes.
//
// Under an address-space limit the child runs on one xgrad thread and has made one BLAS
// call before the limit is set. The limit is then about what `body` allocates, the same on
// every machine: BLAS's work buffer (OpenBLAS: 128 MiB for each call running at once, needed
// or not depending on the kernel the CPU gets) is already there, and no second one is asked
// for by a helper thread.
inline std::string in_child(const std::function<std::string()>& body,
                            std::optional<std::size_t> extra_address_space = std::nullopt,
                            std::optional<std::size_t> file_size = std::nullopt) {
  int channel[2];
  if (::pipe(channel) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    ::close(channel[0]);
    std::string said;
    try {
      if (extra_address_space && !address_sanitizer) {
        xgrad::set_threads(1);
        const xgrad::Matrix one = xt::ones<double>({std::size_t{1}, std::size_t{1}});
        xgrad::Matrix product = xt::zeros<double>({std::size_t{1}, std::size_t{1}});
        xgrad::gemm(one, xgrad::Transpose::no, one, xgrad::Transpose::no, product);
        std::size_t pages = 0;
        std::ifstream("/proc/self/statm") >> pages;
        const rlim_t limit = pages * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + *extra_address_space;
        const struct rlimit r{limit, limit};
        ::setrlimit(RLIMIT_AS, &r);
      }
      if (file_size) {
        const struct rlimit r{*file_size, *file_size};
        ::setrlimit(RLIMIT_FSIZE, &r);
      }
      said = body();
    } catch (const std::exception& e) {
      said = std::string("exception: ") + e.what();
    }
    const char* data = said.data();
    std::size_t left = said.size();
    while (left > 0) {
      const ssize_t n = ::write(channel[1], data, left);
      if (n <= 0) break;
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(channel[1]);
  std::string heard;
  char buffer[4096];
  for (ssize_t n; (n = ::read(channel[0], buffer, sizeof buffer)) > 0;) heard.append(buffer, static_cast<std::size_t>(n));
  ::close(channel[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status)) + (heard.empty() ? "" : ": " + heard);
  return heard;
}

}  // namespace xgrad::testing
