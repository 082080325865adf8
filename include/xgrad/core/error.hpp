/// @file
/// Exceptions xgrad throws. Every message names the thing at fault (file, node, parameter,
/// flag) and the numbers involved, so a user can act on it without a debugger.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xgrad {

/// Bad input from the user: data files, shapes, hyper-parameters, flags. The CLI maps it
/// to exit status 2.
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A file that is missing, unreadable or malformed. The message starts with the path.
class FileError : public InputError {
 public:
  using InputError::InputError;

  /// The one way to say what is wrong with a file: ensures what() is "<file>: <problem>"
  /// (e.g. "params.npz: no array 'fc1.W' (the file has fc2.W)").
  FileError(const std::filesystem::path& file, std::string_view problem)
      : InputError(file.string() + ": " + std::string(problem)) {}
};

/// A failure while running on valid input, e.g. a NaN/inf that appeared during training.
/// The CLI maps it to exit status 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Memory that could not be had: an allocation of `bytes()` bytes failed (std::bad_alloc,
/// an address-space limit). The message names what was being allocated and the size.
class MemoryError : public RunError {
 public:
  /// A failed allocation of `bytes` bytes for `what`; the message names both.
  MemoryError(const std::string& what, std::size_t bytes);
  /// The size of the allocation that failed (for LimitError: the room that was missing).
  std::size_t bytes() const noexcept { return bytes_; }

 protected:
  struct Verbatim {};  ///< `message` is the whole text (used by LimitError)
  /// `message` as the whole text, `bytes` as bytes() (for LimitError).
  MemoryError(Verbatim, const std::string& message, std::size_t bytes) : RunError(message), bytes_(bytes) {}

 private:
  std::size_t bytes_;
};

/// A resource limit the process runs under (ulimit -v / -d: RLIMIT_AS, RLIMIT_DATA) leaves too
/// little room for what was asked, found out before the work started rather than by failing
/// (or hanging) in it. The message names the limit, what remains and what is needed; `bytes()`
/// is the room that was missing. The CLI maps it to exit status 2: like a bad input, the limit
/// is the user's to change.
class LimitError : public MemoryError {
 public:
  /// `message` is the whole text (naming the limit, what remains and what is needed);
  /// `bytes` is the room that was missing.
  LimitError(std::string message, std::size_t bytes);
};

/// Bytes that could not be stored while writing a file: the disk is full, the file-size
/// limit (ulimit -f) was reached, an I/O error. The message starts with the path. The target
/// is left as it was (see xgrad/io/atomic_file.hpp).
class WriteError : public RunError {
 public:
  using RunError::RunError;
};

/// A file write stopped because xgrad::interrupt_file_writes() was called (by a signal
/// handler): the target was left as it was and no temporary file remains.
class Interrupted : public RunError {
 public:
  using RunError::RunError;
};

}  // namespace xgrad
