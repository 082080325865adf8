#include <xgrad/core/threads.hpp>

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <string>

#include <xgrad/core/error.hpp>

// OpenBLAS's own entry points; cblas.h is not included (it clashes with xtensor-blas).
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char* openblas_get_corename(void);
char* openblas_get_config(void);
}

namespace xgrad {

namespace {

std::size_t cpus_available() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return static_cast<std::size_t>(std::max(CPU_COUNT(&set), 1));
}

std::atomic<std::size_t>& thread_setting() {
  static std::atomic<std::size_t> setting{cpus_available()};
  return setting;
}

}  // namespace

void set_threads(std::size_t threads) {
  if (threads == 0) throw InputError("set_threads: the number of threads must be at least 1, got 0");
  thread_setting().store(threads);
}

std::size_t threads() { return thread_setting().load(); }

void set_blas_threads(std::size_t threads) {
  openblas_set_num_threads(static_cast<int>(std::clamp<std::size_t>(threads, 1, 1024)));
}

std::size_t blas_threads() { return static_cast<std::size_t>(openblas_get_num_threads()); }

std::string blas_kernel() {
  const char* name = openblas_get_corename();
  return name ? name : "unknown";
}

std::string blas_config() {
  const char* config = openblas_get_config();
  return config ? config : "unknown";
}

}  // namespace xgrad
