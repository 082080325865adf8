// libFuzzer target: load_csv and load_csv_dataset on arbitrary bytes either load or throw
// FileError; a data set they return is valid.
#include <cstddef>
#include <cstdint>

#include "memory_file.hpp"
#include <xgrad/io/csv.hpp>
#include <xgrad/core/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static xgrad::fuzz::MemoryFile file;
  const auto path = file.hold(data, size);
  try {
    const xgrad::Matrix m = xgrad::load_csv(path);
    if (m.shape(0) == 0 || m.shape(1) == 0) __builtin_trap();
  } catch (const xgrad::FileError&) {
  }
  try {
    const xgrad::Dataset d = xgrad::load_csv_dataset(path);
    xgrad::validate_dataset(d, "fuzz");
  } catch (const xgrad::FileError&) {
  }
  return 0;
}
