// Exceptions xgrad throws. Every message names the thing at fault (file, node, parameter,
// flag) and the numbers involved, so a user can act on it without a debugger.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xgrad {

// Bad input from the user: data files, shapes, hyper-parameters, flags. The CLI maps it
// to exit status 2.
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A file that is missing, unreadable or malformed. The message starts with the path.
class FileError : public InputError {
 public:
  using InputError::InputError;

  // The one way to say what is wrong with a file: ensures what() is "<file>: <problem>"
  // (e.g. "params.npz: no array 'fc1.W' (the file has fc2.W)").
  FileError(const std::filesystem::path& file, std::string_view problem)
      : InputError(file.string() + ": " + std::string(problem)) {}
};

// A failure while running on valid input, e.g. a NaN/inf that appeared during training.
// The CLI maps it to exit status 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace xgrad
