#include "core/worker_pool.hpp"

#include <chrono>
#include <system_error>

namespace xgrad::detail {

WorkerPool& WorkerPool::shared() {
  // Never destroyed: the helpers end with the process. Joining them from a static
  // destructor would hang a forked child that exits normally (its std::thread objects name
  // the parent's threads) and could run after other statics a job uses are gone.
  static WorkerPool* const pool = new WorkerPool;
  return *pool;
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::run(PoolJob& job, std::size_t helpers) {
  bool idle = false;
  if (helpers == 0 || !busy_.compare_exchange_strong(idle, true)) {
    job.run(0);
    return;
  }
  struct Release {
    std::atomic<bool>& busy;
    ~Release() { busy.store(false); }
  } release{busy_};
  {
    std::lock_guard lock(mutex_);
    try {
      while (threads_.size() < helpers) {
        const std::size_t id = threads_.size() + 1;
        threads_.emplace_back([this, id] { helper_loop(id); });
      }
    } catch (const std::system_error&) {  // no more threads: use the ones there are
      helpers = threads_.size();
    }
    job_ = &job;
    helpers_ = helpers;
    joined_ = 0;
    returned_ = 0;
    open_ = true;
    ++generation_;
  }
  wake_.notify_all();
  job.run(0);
  std::unique_lock lock(mutex_);
  open_ = false;
  finished_.wait(lock, [this] { return returned_ == joined_; });
  job_ = nullptr;
}

namespace {

// How long a helper watches for the next job before it sleeps.
constexpr std::chrono::microseconds watch_time{200};

}  // namespace

void WorkerPool::helper_loop(std::size_t id) {
  std::uint64_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (generation_.load() == seen && !stop_) {
      lock.unlock();
      const auto until = std::chrono::steady_clock::now() + watch_time;
      for (int spins = 1; generation_.load(std::memory_order_relaxed) == seen; ++spins) {
        __builtin_ia32_pause();
        if (spins % 64 == 0 && std::chrono::steady_clock::now() > until) break;
      }
      lock.lock();
    }
    wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
    if (stop_) return;
    seen = generation_.load();
    if (!open_ || id > helpers_) continue;
    ++joined_;
    PoolJob* job = job_;
    lock.unlock();
    job->run(id);
    lock.lock();
    ++returned_;
    if (returned_ == joined_ && !open_) finished_.notify_one();
  }
}

}  // namespace xgrad::detail
