// xgrad: train, check and reproduce the course's experiments from the command line.
// Exit status: 0 success; 1 a run or check failed (RunError, a failed gradient check);
// 2 bad usage or input (CLI::ParseError: flags; InputError: flags, data files).
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

namespace {

const char* const overview =
    "A small reverse-mode autodiff library's command line: train a classifier, check its gradients,\n"
    "reproduce the course's experiments.\n"
    "\n"
    "Commands:\n"
    "  train        train a model; every knob is a flag (data, layers, init, lr, L2, dropout...)\n"
    "  gradcheck    check a model's gradients numerically, whole and node by node\n"
    "  experiments  run the course's experiments, with a summary table, gradient checks and plots\n"
    "\n"
    "Run 'xgrad COMMAND --help' for a command's flags.\n"
    "Exit status: 0 success, 1 a run or check failed, 2 bad usage or input.\n";

const char* const choose = "(choose train, gradcheck or experiments; see xgrad --help)";

// Messages are printed on one line.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

int fail(const std::string& message, int status) {
  std::cout.flush();
  std::cerr << "xgrad: error: " << one_line(message) << '\n';
  return status;
}

// Parses the command line and runs the chosen command.
int run(int argc, char** argv) {
  CLI::App program(overview, "xgrad");
  program.formatter(xgrad::cli::help_formatter());
  program.set_help_flag("-h,--help", "Show this help.")->group("Flags");
  bool version = false;
  program.add_flag("--version", version, "Print xgrad's version and the BLAS it runs on (OpenBLAS kernel, configuration, threads).")
      ->disable_flag_override()
      ->group("Flags");
  const std::vector<std::pair<CLI::App*, xgrad::cli::CommandRun>> commands = [&] {
    std::vector<std::pair<CLI::App*, xgrad::cli::CommandRun>> added;
    for (auto add : {xgrad::cli::add_train_command, xgrad::cli::add_gradcheck_command,
                     xgrad::cli::add_experiments_command}) {
      xgrad::cli::CommandRun command = add(program);
      added.emplace_back(program.get_subcommands({}).back(), std::move(command));
    }
    return added;
  }();
  program.require_subcommand(0, 1);

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
  if (version) {
    std::cout << xgrad::cli::version_text();
    return 0;
  }
  for (const auto& [app, command] : commands) {
    if (app->parsed()) return command();
  }
  return fail(std::string("no command given ") + choose, 2);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const xgrad::InputError& e) {
    return fail(e.what(), 2);
  } catch (const xgrad::RunError& e) {
    return fail(e.what(), 1);
  } catch (const std::bad_alloc&) {
    return fail("out of memory", 1);
  } catch (const std::exception& e) {
    return fail(e.what(), 1);
  }
}
