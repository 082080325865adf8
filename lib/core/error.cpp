#include <xgrad/core/error.hpp>

namespace xgrad {

namespace {

std::string memory_message(const std::string& what, std::size_t bytes) {
  std::string text = what + ": out of memory: cannot allocate " + std::to_string(bytes) + " bytes";
  if (bytes >= (1u << 20)) text += " (" + std::to_string(bytes >> 20) + " MiB)";
  return text;
}

}  // namespace

MemoryError::MemoryError(const std::string& what, std::size_t bytes)
    : RunError(memory_message(what, bytes)), bytes_(bytes) {}

LimitError::LimitError(std::string message, std::size_t bytes) : MemoryError(Verbatim{}, message, bytes) {}

}  // namespace xgrad
