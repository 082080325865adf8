// libFuzzer target: the .mat readers on arbitrary bytes either load or throw FileError; the
// data sets they return are valid.
#include <cstddef>
#include <cstdint>

#include "memory_file.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/io/mat_file.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static xgrad::fuzz::MemoryFile file;
  const auto path = file.hold(data, size);
  try {
    const xgrad::Matrix m = xgrad::load_mat_variable(path, "X");
    if (m.size() != m.shape(0) * m.shape(1)) __builtin_trap();
  } catch (const xgrad::FileError&) {
  }
  try {
    const xgrad::TrainTest sets = xgrad::load_mat_train_test(path);
    xgrad::validate_dataset(sets.train, "fuzz");
    xgrad::validate_dataset(sets.test, "fuzz");
  } catch (const xgrad::FileError&) {
  }
  return 0;
}
