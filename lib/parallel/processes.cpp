#include <xgrad/parallel/processes.hpp>

// Only the C API: Open MPI's C++ bindings are deprecated and trip -Wextra.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <climits>
#include <exception>
#include <ostream>

namespace xgrad::parallel {

namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw RunError(std::string("MPI: ") + what + ": " + std::string(text, static_cast<std::size_t>(length)));
}

int as_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw RunError(std::string("MPI: ") + what + ": " + std::to_string(n) + " values are more than one message holds");
  }
  return static_cast<int>(n);
}

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialized_here_ = true;
  // Errors come back as codes (turned into RunError) instead of ending the job silently.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

MpiSession::~MpiSession() {
  if (!initialized_here_) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Processes::Processes() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) throw RunError("parallel: MPI is not initialized (make an MpiSession first)");
  int rank = 0;
  int size = 1;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  rank_ = static_cast<std::size_t>(rank);
  size_ = static_cast<std::size_t>(size);
  counts_.resize(size_);
  offsets_.resize(size_);
}

void Processes::broadcast(std::span<double> values) const {
  check(MPI_Bcast(values.data(), as_count(values.size(), "broadcast"), MPI_DOUBLE, 0, MPI_COMM_WORLD), "MPI_Bcast");
  if (is_root()) bytes_sent_ += values.size() * sizeof(double) * (size_ - 1);
}

std::string Processes::broadcast(const std::string& text) const {
  unsigned long long length = text.size();
  check(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  std::string out = is_root() ? text : std::string(static_cast<std::size_t>(length), '\0');
  check(MPI_Bcast(out.data(), as_count(out.size(), "broadcast"), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return out;
}

void Processes::all_gather(std::span<const double> mine, std::vector<double>& all) const {
  const int count = as_count(mine.size(), "all_gather");
  check(MPI_Allgather(&count, 1, MPI_INT, counts_.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  std::size_t total = 0;
  for (std::size_t r = 0; r < size_; ++r) {
    offsets_[r] = as_count(total, "all_gather");
    total += static_cast<std::size_t>(counts_[r]);
  }
  if (all.size() != total) all.resize(total);
  check(MPI_Allgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts_.data(), offsets_.data(), MPI_DOUBLE,
                       MPI_COMM_WORLD),
        "MPI_Allgatherv");
  bytes_sent_ += (sizeof(int) + mine.size() * sizeof(double)) * (size_ - 1);
}

std::vector<std::string> Processes::all_gather(const std::string& text) const {
  const std::vector<std::uint64_t> lengths = all_gather(static_cast<std::uint64_t>(text.size()));
  std::vector<int> counts(size_);
  std::vector<int> offsets(size_);
  std::size_t total = 0;
  for (std::size_t r = 0; r < size_; ++r) {
    counts[r] = as_count(lengths[r], "all_gather");
    offsets[r] = as_count(total, "all_gather");
    total += lengths[r];
  }
  std::string joined(total, '\0');
  check(MPI_Allgatherv(text.data(), as_count(text.size(), "all_gather"), MPI_CHAR, joined.data(), counts.data(),
                       offsets.data(), MPI_CHAR, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  bytes_sent_ += text.size() * (size_ - 1);
  std::vector<std::string> out;
  for (std::size_t r = 0; r < size_; ++r) {
    out.push_back(joined.substr(static_cast<std::size_t>(offsets[r]), lengths[r]));
  }
  return out;
}

std::vector<std::uint64_t> Processes::all_gather(std::uint64_t value) const {
  std::vector<unsigned long long> all(size_);
  unsigned long long mine = value;
  check(MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all.data(), 1, MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD),
        "MPI_Allgather");
  bytes_sent_ += sizeof(mine) * (size_ - 1);
  return {all.begin(), all.end()};
}

void Processes::barrier() const { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

void Processes::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::terminate();  // MPI_Abort does not return
}

int run_processes(const Processes& processes, std::ostream& errors, const std::function<int()>& body) {
  try {
    return body();
  } catch (const CollectiveError& e) {
    if (processes.is_root()) errors << "xgrad: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    errors << "xgrad: process " << processes.rank() << " of " << processes.size() << ": " << e.what()
           << "; stopping every process" << std::endl;
  } catch (...) {
    errors << "xgrad: process " << processes.rank() << " of " << processes.size()
           << ": unknown error; stopping every process" << std::endl;
  }
  processes.abort(1);
}

void require_same_settings(const Processes& processes, const std::string& settings) {
  const std::vector<std::string> all = processes.all_gather(settings);
  for (std::size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) {
      throw CollectiveError("process " + std::to_string(r) + " of " + std::to_string(all.size()) +
                            " was started with other settings than process 0:\n  process 0: " + all[0] +
                            "\n  process " + std::to_string(r) + ": " + all[r]);
    }
  }
}

}  // namespace xgrad::parallel
