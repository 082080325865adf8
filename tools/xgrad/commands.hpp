// The xgrad subcommands. Each add_*_command declares its subcommand on the program's
// CLI::App, its flags bound to settings the returned function owns; main calls that
// function when the subcommand was chosen and the flags parsed. It prints to stdout and
// returns the exit status (0 success, 1 a failed run or check). Bad flags and bad input
// throw InputError (or, while parsing, CLI::ParseError), a failure while running throws
// RunError; main turns each into one "xgrad: error: ..." line on stderr and exit status 2
// or 1.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include <xgrad/parallel/available.hpp>
#if XGRAD_HAS_MPI
#include <xgrad/parallel/processes.hpp>
#endif

namespace xgrad::cli {

#if XGRAD_HAS_MPI
using Processes = xgrad::parallel::Processes;
#else
class Processes;  // never made: without MPI every command runs on one process
#endif


using CommandRun = std::function<int()>;

// `processes`: the mpirun job `xgrad train` runs in (data-parallel training, rank 0 alone
// printing and writing); nullptr: one process.
CommandRun add_train_command(CLI::App& program, const Processes* processes);
CommandRun add_gradcheck_command(CLI::App& program);
CommandRun add_experiments_command(CLI::App& program);
CommandRun add_sweep_command(CLI::App& program);
CommandRun add_report_command(CLI::App& program);
CommandRun add_predict_command(CLI::App& program);
CommandRun add_evaluate_command(CLI::App& program);

}  // namespace xgrad::cli
