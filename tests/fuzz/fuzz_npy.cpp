// libFuzzer target: load_npy on arbitrary bytes either loads or throws FileError.
#include <cstddef>
#include <cstdint>

#include "memory_file.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/io/npy.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static xgrad::fuzz::MemoryFile file;
  try {
    const xgrad::Matrix m = xgrad::load_npy(file.hold(data, size));
    if (m.size() != m.shape(0) * m.shape(1)) __builtin_trap();
  } catch (const xgrad::FileError&) {
  }
  return 0;
}
