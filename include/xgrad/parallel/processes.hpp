/// @file
/// The processes of an MPI job (Open MPI; built only with -Dmpi=enabled or auto when found),
/// and the few collectives data-parallel training needs. MPI's own headers stay out of the
/// public API: a user includes this and links libxgrad.
///
/// Without MPI (the `mpi` Meson feature disabled or Open MPI not installed) this header and
/// the rest of xgrad/parallel/ except column_share.hpp are not installed, XGRAD_HAS_MPI is 0
/// in <xgrad/parallel/available.hpp>, and `xgrad train` runs on one process only.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>

namespace xgrad::parallel {

/// MPI for the lifetime of the object: MPI_Init_thread (MPI_THREAD_FUNNELED: only the thread
/// that made it calls MPI; xgrad's tile threads never do) unless MPI is already initialized,
/// and MPI_Finalize when it ends if it initialized MPI. Make one, first thing in main.
/// RunError when MPI cannot start.
class MpiSession {
 public:
  /// Initializes MPI with the program's arguments (mpirun's are taken out).
  MpiSession(int& argc, char**& argv);
  /// Finalizes MPI if this object initialized it.
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

 private:
  bool initialized_here_ = false;
};

/// Thrown on every process at once, with the same message, when the processes agree that a
/// run cannot go on (settings that differ, a non-finite cost): no process is left waiting,
/// so they can all end cleanly; run_processes has rank 0 alone print it.
class CollectiveError : public RunError {
 public:
  /// `message` is the whole text, the same on every process.
  explicit CollectiveError(const std::string& message) : RunError(message) {}
};

/// The processes of MPI_COMM_WORLD. Requires an initialized MPI (MpiSession; RunError
/// otherwise). Every collective below must be called by every process in the same order.
class Processes {
 public:
  Processes();
  /// This process's index, 0 .. size() - 1.
  std::size_t rank() const { return rank_; }
  /// How many processes the job has.
  std::size_t size() const { return size_; }
  /// Rank 0, the one that prints and writes files.
  bool is_root() const { return rank_ == 0; }

  /// Rank 0's values into `values` on every process. Requires the same size everywhere.
  void broadcast(std::span<double> values) const;
  /// Rank 0's text on every process.
  std::string broadcast(const std::string& text) const;
  /// Every process's `mine`, in rank order (counts may differ); also the bytes this process
  /// sent (added to bytes_sent()).
  void all_gather(std::span<const double> mine, std::vector<double>& all) const;
  /// Every process's text, in rank order.
  std::vector<std::string> all_gather(const std::string& text) const;
  /// Every process's number, in rank order.
  std::vector<std::uint64_t> all_gather(std::uint64_t value) const;
  /// Waits for every process.
  void barrier() const;
  /// Ends every process of the job now with `code` (MPI_Abort). Never returns.
  [[noreturn]] void abort(int code) const;

  /// Bytes this process has handed to MPI for other processes so far (all collectives).
  std::uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  std::size_t rank_ = 0;
  std::size_t size_ = 1;
  mutable std::uint64_t bytes_sent_ = 0;
  mutable std::vector<int> counts_;  ///< all_gather's scratch (one per process)
  mutable std::vector<int> offsets_;
};

/// Runs `body` on this process as part of a job where every process does the same, so that a
/// failure on one process never leaves the others waiting: a CollectiveError (thrown on every
/// process) is printed to `errors` by rank 0 alone as "xgrad: MESSAGE" and gives 1; any other
/// exception is printed by the process that caught it as "xgrad: process R of N: MESSAGE;
/// stopping every process" and ends the whole job with MPI_Abort (exit status 1). Returns
/// body's value otherwise. A process killed from outside is Open MPI's business: mpirun ends
/// the others and exits non-zero.
int run_processes(const Processes& processes, std::ostream& errors, const std::function<int()>& body);

/// Throws CollectiveError, on every process, when any process's `settings` differ from rank
/// 0's; the message names the first such process and both texts. Call it on every process
/// with what must agree (flags, data set shape, model, options).
void require_same_settings(const Processes& processes, const std::string& settings);

}  // namespace xgrad::parallel
