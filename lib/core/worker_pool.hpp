// WorkerPool: the process's persistent helper threads (private to the library). The calling
// thread runs a job as worker 0 while helpers join it as workers 1, 2, ...; threads are
// started the first time a job asks for that many, and stay (waiting) until the process exits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace xgrad::detail {

// Work that the calling thread and any number of helpers share.
class PoolJob {
 public:
  // Called once by each worker that joins: worker 0 is the calling thread, always; helper k
  // (1 <= k <= helpers asked for) may join at any time before worker 0 returns, or never.
  // So worker 0 must be able to do all the work alone, and a helper that finds nothing left
  // must return at once. Must not throw (a job keeps its own errors).
  virtual void run(std::size_t worker) noexcept = 0;

 protected:
  ~PoolJob() = default;
};

class WorkerPool {
 public:
  // The process's pool (never destroyed: its helpers end with the process).
  static WorkerPool& shared();

  WorkerPool() = default;
  ~WorkerPool();  // stops and joins the helpers (of a pool other than shared())
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs job.run(0) on the calling thread and offers job.run(k) to helpers k = 1..helpers;
  // returns once worker 0 has returned and every helper that joined has returned too (the
  // job is then no longer touched). When another thread is running a job on the pool, or no
  // helper thread can be started, the calling thread runs the job alone. Allocates only when
  // it starts threads.
  void run(PoolJob& job, std::size_t helpers);

 private:
  void helper_loop(std::size_t id);

  std::atomic<bool> busy_{false};  // a job is running (only one at a time)
  std::mutex mutex_;
  std::condition_variable wake_;      // helpers wait here for a job
  std::condition_variable finished_;  // worker 0 waits here for the helpers that joined
  std::vector<std::thread> threads_;  // helper k is threads_[k - 1]
  PoolJob* job_ = nullptr;
  std::size_t helpers_ = 0;   // helpers offered the current job
  std::size_t joined_ = 0;    // helpers that joined it
  std::size_t returned_ = 0;  // helpers that returned from it
  bool open_ = false;         // worker 0 has not returned yet: helpers may still join
  bool stop_ = false;
  // Counts jobs. Written under mutex_; atomic so that a helper that has just finished a job
  // can watch it for a short while without the lock before it goes to sleep (the next step's
  // job usually comes within microseconds, faster than a sleeping thread wakes up).
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace xgrad::detail
