#include "blas_room.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include <xgrad/core/error.hpp>

extern "C" char* openblas_get_config(void);  // cblas.h is not included (it clashes with xtensor-blas)

namespace xgrad::detail {

namespace {

// OpenBLAS's BUFFER_SIZE on x86-64 and arm64 ((32 << 22) bytes): what one call maps when it
// needs a new work buffer (seen as mmap(NULL, 134217728, ...) under strace).
constexpr std::size_t buffer_bytes = std::size_t{128} << 20;
// Room asked beyond the buffers: a page. What the program allocates after the buffer is
// its own business (an allocation that fails there is a MemoryError, not a hang).
constexpr std::size_t slack_bytes = std::size_t{64} << 10;

// Calls in flight and the most that have been in flight at once: OpenBLAS keeps one buffer
// for each call that ran beside another, so `buffers_had` buffers exist already.
std::atomic<std::size_t> calls_in_flight{0};
std::atomic<std::size_t> buffers_had{0};
std::mutex probe_mutex;

struct Limit {
  const char* flag;   // "ulimit -v"
  const char* name;   // "address-space"
  rlim_t bytes;       // the soft limit
  std::size_t in_use; // what counts against it now
};

std::size_t page_bytes() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

// VmSize (what RLIMIT_AS counts) and VmData (what RLIMIT_DATA counts), in bytes.
std::size_t address_space_in_use() {
  std::size_t pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  return pages * page_bytes();
}

std::size_t data_in_use() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmData:", 0) == 0) {
      std::istringstream fields(line.substr(7));
      std::size_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

// The limit with the least room left, if any is set.
std::optional<Limit> tightest_limit() {
  std::optional<Limit> tightest;
  auto consider = [&](int resource, const char* flag, const char* name, std::size_t (*in_use)()) {
    struct rlimit limit {};
    if (::getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
    const Limit candidate{flag, name, limit.rlim_cur, in_use()};
    const auto room = [](const Limit& l) { return l.bytes > l.in_use ? l.bytes - l.in_use : rlim_t{0}; };
    if (!tightest || room(candidate) < room(*tightest)) tightest = candidate;
  };
  consider(RLIMIT_AS, "ulimit -v", "address-space", address_space_in_use);
  consider(RLIMIT_DATA, "ulimit -d", "data-size", data_in_use);
  return tightest;
}

std::string in_mib(std::size_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

// Maps and unmaps `bytes` as OpenBLAS would (private, anonymous, writable): whether a call
// that needs that much more can get it now.
bool room_for(std::size_t bytes) {
  void* probe = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (probe == MAP_FAILED) return false;
  ::munmap(probe, bytes);
  return true;
}

// Ensures room for `calls` buffers in all, or throws LimitError.
void ensure_buffers(std::size_t calls) {
  std::lock_guard lock(probe_mutex);
  const std::size_t had = buffers_had.load(std::memory_order_acquire);
  if (calls <= had) return;
  if (!blas_retries_failed_allocations()) {
    buffers_had.store(calls, std::memory_order_release);
    return;
  }
  const std::optional<Limit> limit = tightest_limit();
  const std::size_t needed = (calls - had) * buffer_bytes + slack_bytes;
  if (!limit || room_for(needed)) {
    buffers_had.store(calls, std::memory_order_release);
    return;
  }
  const std::size_t room = limit->bytes > limit->in_use ? limit->bytes - limit->in_use : 0;
  const std::size_t at_least_kib = (limit->in_use + needed + 1023) / 1024;
  std::string message = "BLAS cannot get its work buffer: the " + std::string(limit->name) + " limit of " +
                        std::to_string(limit->bytes / 1024) + " KB (" + limit->flag + ") leaves " + in_mib(room) +
                        ", and OpenBLAS needs " + in_mib(buffer_bytes) + " for each BLAS call running at once (" +
                        std::to_string(calls) + " now, " + std::to_string(had) +
                        " of them had before), retrying forever when it cannot have it (OpenBLAS before 0.3.30). "
                        "Raise the limit to at least " + std::to_string(at_least_kib) + " KB (" + limit->flag + " " +
                        std::to_string(at_least_kib) + ")";
  if (calls > 1) message += ", or use one thread (xgrad::set_threads(1), xgrad --threads 1)";
  throw LimitError(message, needed > room ? needed - room : needed);
}

}  // namespace

bool blas_retries_failed_allocations() {
  static const bool retries = [] {
    const char* config = openblas_get_config();
    if (config == nullptr) return false;
    int major = 0, minor = 0, patch = 0;
    if (std::sscanf(config, "OpenBLAS %d.%d.%d", &major, &minor, &patch) != 3) return false;
    return major == 0 && (minor < 3 || (minor == 3 && patch < 30));
  }();
  return retries;
}

BlasCall::BlasCall() {
  const std::size_t calls = calls_in_flight.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (calls <= buffers_had.load(std::memory_order_acquire)) return;
  try {
    ensure_buffers(calls);
  } catch (...) {
    calls_in_flight.fetch_sub(1, std::memory_order_acq_rel);
    throw;
  }
}

BlasCall::~BlasCall() { calls_in_flight.fetch_sub(1, std::memory_order_acq_rel); }

}  // namespace xgrad::detail
