// Test support: assertions that a call throws the right xgrad error with the right words.
#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <typeinfo>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <xgrad/core/error.hpp>

namespace xgrad::testing {

// Boost.Test assertions: `call` throws exactly `Error` (not a subclass) and the message
// contains every one of `parts` (requires at least one part). Returns the message ("" when
// nothing was thrown).
template <class Error = InputError>
std::string expect_error(const std::function<void()>& call, const std::vector<std::string>& parts) {
  try {
    call();
    BOOST_ERROR("no exception; expected " << typeid(Error).name() << " mentioning '" << parts.front() << "'");
  } catch (const std::exception& e) {
    const std::string message = e.what();
    BOOST_TEST((typeid(e) == typeid(Error)), "wrong exception type " << typeid(e).name() << ": " << message);
    for (const std::string& part : parts) {
      BOOST_TEST(message.find(part) != std::string::npos, "'" << part << "' not in: " << message);
    }
    return message;
  }
  return {};
}

// The same for FileError, whose message must also start with "<path>:" (FileError's
// "<path>: <problem>", or a CSV reader's "<path>:<line>: <problem>").
inline void expect_file_error(const std::function<void()>& call, const std::filesystem::path& path,
                              const std::vector<std::string>& parts) {
  const std::string message = expect_error<FileError>(call, parts);
  if (!message.empty()) {
    BOOST_TEST(message.rfind(path.string() + ":", 0) == 0, "does not start with '" << path.string() << ":': " << message);
  }
}

}  // namespace xgrad::testing
