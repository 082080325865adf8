// xgrad: train, check and reproduce the course's experiments from the command line.
// Exit status: 0 success; 1 a run or check failed (RunError, a failed gradient check);
// 2 bad usage or input (CLI::ParseError: flags; InputError: flags, data files; LimitError: a
// ulimit too small for the run, found out before BLAS would hang in it; running out of memory
// while a ulimit -v or -d is set, the limit named).
// Signals: SIGINT, SIGTERM and SIGHUP end the program as usual, except during a file write,
// which first removes its temporary files (the target stays as it was; see
// xgrad/io/atomic_file.hpp); SIGXFSZ (ulimit -f) is ignored so that a write past the limit is
// reported ("File too large", exit 1).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "build_info.hpp"
#include "commands.hpp"
#include "help_format.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/io/atomic_file.hpp>

namespace {

// The terminating signal that arrived during a file write (0: none), raised again once the
// write has cleaned up.
volatile std::sig_atomic_t deferred_signal = 0;

extern "C" void on_terminating_signal(int number) {
  if (xgrad::file_writes_in_progress()) {
    deferred_signal = number;
    xgrad::interrupt_file_writes();
    return;
  }
  ::signal(number, SIG_DFL);
  ::raise(number);
}

void handle_signals() {
  for (int number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (::sigaction(number, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;  // e.g. nohup
    struct sigaction action {};
    action.sa_handler = on_terminating_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked write returns and sees the interruption
    ::sigaction(number, &action, nullptr);
  }
  ::signal(SIGXFSZ, SIG_IGN);
}

// OpenBLAS starts its worker threads when the library is loaded, before main; under an
// address-space or data-size limit (ulimit -v / -d) a worker retries its 128 MB buffer
// allocation forever and the program never exits (exit waits for the worker). So under such a
// limit xgrad runs itself again with OPENBLAS_NUM_THREADS=1 (no workers), unless that variable
// is set already (then it is the user's choice). Returns only when it did not re-execute.
void avoid_blas_workers_under_a_memory_limit(char** argv) {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return;
  bool limited = false;
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    struct rlimit limit {};
    limited = limited || (::getrlimit(resource, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY);
  }
  if (!limited) return;
  ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
  ::execv("/proc/self/exe", argv);  // on failure, go on as we are
}

// "the address-space limit (ulimit -v) of 200000 KB" for the tightest memory limit set (soft
// limits of RLIMIT_AS and RLIMIT_DATA), or "" when none is.
std::string memory_limit_text() {
  std::string text;
  rlim_t tightest = RLIM_INFINITY;
  for (const auto& [resource, name] : {std::pair{RLIMIT_AS, "address-space limit (ulimit -v)"},
                                       std::pair{RLIMIT_DATA, "data-size limit (ulimit -d)"}}) {
    struct rlimit limit {};
    if (::getrlimit(resource, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < tightest) {
      tightest = limit.rlim_cur;
      text = std::string("the ") + name + " of " + std::to_string(limit.rlim_cur / 1024) + " KB";
    }
  }
  return text;
}

// Ends the program by the signal that interrupted a write, if one did.
void raise_deferred_signal() {
  if (deferred_signal == 0) return;
  std::cout.flush();
  std::fflush(stdout);
  ::signal(deferred_signal, SIG_DFL);
  ::raise(deferred_signal);
}

const char* const overview =
    "A small reverse-mode autodiff library's command line: train a classifier, check its gradients,\n"
    "reproduce the course's experiments.\n"
    "\n"
    "Commands:\n"
    "  train        train a model; every knob is a flag (data, layers, init, lr, L2, dropout...)\n"
    "  gradcheck    check a model's gradients numerically, whole and node by node\n"
    "  experiments  run the course's experiments, with a summary table, gradient checks and plots\n"
    "  sweep        many train runs from a grid or random draws, for GNU parallel or a Slurm array\n"
    "  report       one table (and plots) across runs: a sweep's, run folders, JSON reports\n"
    "\n"
    "Run 'xgrad COMMAND --help' for a command's flags.\n"
    "Exit status: 0 success, 1 a run or check failed, 2 bad usage or input.\n";

const char* const choose = "(choose train, gradcheck, experiments, sweep or report; see xgrad --help)";

// Messages are printed on one line of printable text: line breaks become spaces, other
// control bytes (ESC, NUL, ...) are shown as \xHH so that none reaches the terminal raw or
// cuts the message, and a message longer than max_message_bytes (one quoting a 65 000-layer
// list, say) keeps its start and end around a note of what was left out.
constexpr std::size_t max_message_bytes = 2000;

std::string one_line(const std::string& text) {
  std::string line;
  line.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r') {
      line += ' ';
    } else if (byte < 0x20 || byte == 0x7f) {
      static const char digits[] = "0123456789abcdef";
      line += "\\x";
      line += digits[byte >> 4];
      line += digits[byte & 0xf];
    } else {
      line += c;
    }
  }
  if (line.size() <= max_message_bytes) return line;
  const std::size_t head = max_message_bytes * 3 / 4, tail = max_message_bytes / 4;
  return line.substr(0, head) + " [... " + std::to_string(line.size() - head - tail) + " bytes left out ...] " +
         line.substr(line.size() - tail);
}

// Where error lines go: on one process, "xgrad: error: ..."; in an mpirun job, rank 0's as
// that, another process's with "process R of N: " before the message, and none at all from
// the other processes for what every process finds alike (bad flags: their flags agree).
struct ErrorLines {
  std::string prefix;     // "" or "process R of N: "
  bool print_common = true;  // false on every process but rank 0 of a job
};

int fail(const ErrorLines& lines, const std::string& message, int status, bool common = false) {
  std::cout.flush();
  if (common && !lines.print_common) return status;
  // One write: a process that MPI_Abort ends must not leave half a line.
  std::cerr << "xgrad: error: " + (common ? std::string() : lines.prefix) + one_line(message) + '\n' << std::flush;
  return status;
}

// Parses the command line and runs the chosen command.
int run(int argc, char** argv, const xgrad::cli::Processes* processes, const ErrorLines& lines) {
  auto fail = [&](const std::string& message, int status) { return ::fail(lines, message, status, true); };
  CLI::App program(overview, "xgrad");
  program.formatter(xgrad::cli::help_formatter());
  program.set_help_flag("-h,--help", "Show this help.")->group("Flags");
  bool version = false;
  program.add_flag("--version", version, "Print xgrad's version and the BLAS it runs on (OpenBLAS kernel, configuration, threads).")
      ->disable_flag_override()
      ->group("Flags");
  std::size_t threads = 0;
  program
      .add_option("--threads", threads,
                  "Threads a training pass may use over column tiles (xgrad::set_threads; default: the CPUs this "
                  "process may run on). Give it before the command: xgrad --threads 1 train ...")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}))
      ->group("Flags");
  const std::vector<std::pair<CLI::App*, xgrad::cli::CommandRun>> commands = [&] {
    std::vector<std::pair<CLI::App*, xgrad::cli::CommandRun>> added;
    added.emplace_back(nullptr, xgrad::cli::add_train_command(program, processes));
    added.back().first = program.get_subcommands({}).back();
    for (auto add : {xgrad::cli::add_gradcheck_command, xgrad::cli::add_experiments_command,
                     xgrad::cli::add_sweep_command, xgrad::cli::add_report_command,
                     xgrad::cli::add_predict_command, xgrad::cli::add_evaluate_command}) {
      xgrad::cli::CommandRun command = add(program);
      added.emplace_back(program.get_subcommands({}).back(), std::move(command));
    }
    return added;
  }();
  program.require_subcommand(0, 1);

  // CLI11 takes a lone "--" as the end of the flags. Only `sweep` takes words after it (the
  // flags every run's `xgrad train` gets); elsewhere one is refused as any other unexpected
  // argument (as `train -- --lr 0.1` always was).
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "sweep") break;
    if (word == "--") return fail("unexpected argument '--' (xgrad takes flags only; see --help)", 2);
  }
  // A first word that is not a flag must be a command.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    if (word == "help") {
      std::cout << program.help();
      return 0;
    }
    bool known = false;
    for (const auto& [app, command] : commands) known = known || app->get_name() == word;
    if (!known) return fail("unknown command '" + word + "' " + choose, 2);
  }
  try {
    program.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << program.help();
    return 0;
  } catch (const CLI::ExtrasError& e) {
    return fail(std::string(e.what()) + " (see --help)", 2);
  } catch (const CLI::ParseError& e) {
    return fail(e.what(), 2);
  }
  if (threads > 0) xgrad::set_threads(threads);
  if (version) {
    std::cout << xgrad::cli::version_text();
    return 0;
  }
  for (const auto& [app, command] : commands) {
    if (!app->parsed()) continue;
    if (processes != nullptr && app->get_name() != "train") {
      return fail("under mpirun only `xgrad train` runs (data-parallel); run '" + app->get_name() +
                  "' as one process", 2);
    }
    return command();
  }
  return fail(std::string("no command given ") + choose, 2);
}

// Runs the command; returns its exit status.
// `collective`, when given, is set when the error was one every process of a job met alike
// (a CollectiveError): they can all end cleanly, none is left waiting.
int run_reporting_errors(int argc, char** argv, const xgrad::cli::Processes* processes = nullptr,
                         const ErrorLines& lines = {}, bool* collective = nullptr) {
  try {
#if XGRAD_HAS_MPI
    if (processes != nullptr) {  // every process must have been started with the same command line
      std::string command = "xgrad";
      for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
      xgrad::parallel::require_same_settings(*processes, command);
    }
#endif
    return run(argc, argv, processes, lines);
#if XGRAD_HAS_MPI
  } catch (const xgrad::parallel::CollectiveError& e) {
    if (collective != nullptr) *collective = true;
    return fail(lines, e.what(), 2, true);
#endif
  } catch (const xgrad::InputError& e) {
    return fail(lines, e.what(), 2);
  } catch (const xgrad::LimitError& e) {
    return fail(lines, e.what(), 2);
  } catch (const xgrad::MemoryError& e) {
    // Under a memory limit, running out is the limit's doing: a problem of the environment,
    // like LimitError, named with the limit.
    const std::string limit = memory_limit_text();
    if (limit.empty()) return fail(lines, e.what(), 1);
    return fail(lines, std::string(e.what()) + " (under " + limit + "; raise it)", 2);
  } catch (const xgrad::RunError& e) {
    return fail(lines, e.what(), 1);
  } catch (const std::bad_alloc&) {
    const std::string limit = memory_limit_text();
    if (limit.empty()) return fail(lines, "out of memory", 1);
    return fail(lines, "out of memory under " + limit + ": raise the limit", 2);
  } catch (const std::exception& e) {
    return fail(lines, e.what(), 1);
  }
}

#if XGRAD_HAS_MPI
// Whether mpirun (Open MPI, or a PMI launcher such as Slurm's srun) started this process.
bool launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

// Discards what a process other than rank 0 would print.
class DiscardingBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// An mpirun job: rank 0 prints; a failure on any process (an error, or a process killed:
// Open MPI's own doing) ends every process with MPI_Abort, so that none is left waiting.
int run_in_job(int argc, char** argv) {
  xgrad::parallel::MpiSession session(argc, argv);
  const xgrad::parallel::Processes processes;
  DiscardingBuffer discard;
  std::streambuf* const stdout_buffer = processes.is_root() ? nullptr : std::cout.rdbuf(&discard);
  const ErrorLines lines{processes.size() > 1 ? "process " + std::to_string(processes.rank()) + " of " +
                                                    std::to_string(processes.size()) + ": "
                                              : "",
                         processes.is_root()};
  bool collective = false;
  const int status = run_reporting_errors(argc, argv, &processes, lines, &collective);
  if (stdout_buffer != nullptr) std::cout.rdbuf(stdout_buffer);
  // Every process met a collective error at the same point: each ends with the status, after
  // MPI_Finalize (an MPI_Abort from each at once could cut rank 0's message short). Any other
  // failure is one process's: MPI_Abort ends the others, which may be waiting for it.
  if (status != 0 && !collective) {
    std::cout.flush();
    std::cerr.flush();
    processes.abort(status);
  }
  return status;
}
#endif

// Everything printed must have reached standard output (a full disk, /dev/full): otherwise
// the run failed, whatever it computed.
int check_standard_output(int status) {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (flushed && !std::ferror(stdout) && std::cout.good()) return status;
  std::cerr << "xgrad: error: cannot write to standard output"
            << (error != 0 ? std::string(": ") + std::strerror(error) : std::string()) << '\n';
  std::clearerr(stdout);
  return status == 0 ? 1 : status;
}

}  // namespace

int main(int argc, char** argv) {
  avoid_blas_workers_under_a_memory_limit(argv);
  handle_signals();
#if XGRAD_HAS_MPI
  if (launched_by_mpirun()) {
    const int status = run_in_job(argc, argv);
    raise_deferred_signal();
    return check_standard_output(status);
  }
#endif
  const int status = run_reporting_errors(argc, argv);
  raise_deferred_signal();
  return check_standard_output(status);
}
