// xgrad: train, check and reproduce the course's experiments from the command line.
// Exit status: 0 success; 1 a run or check failed (RunError, a failed gradient check);
// 2 bad usage or input (InputError: flags, data files).
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include <xgrad/core/error.hpp>

namespace {

const char* const overview =
    "usage: xgrad COMMAND [flags]\n"
    "\n"
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

int dispatch(const std::vector<std::string>& words) {
  if (words.empty()) return fail("no command given (choose train, gradcheck or experiments; see xgrad --help)", 2);
  const std::string& command = words.front();
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << overview;
    return 0;
  }
  if (command == "train") return xgrad::cli::train_command(rest);
  if (command == "gradcheck") return xgrad::cli::gradcheck_command(rest);
  if (command == "experiments") return xgrad::cli::experiments_command(rest);
  return fail("unknown command '" + command + "' (choose train, gradcheck or experiments; see xgrad --help)", 2);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
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
