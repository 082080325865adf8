// libFuzzer target: load_parameters on arbitrary bytes either loads or throws FileError, and
// a failed load leaves the parameters as they were.
#include <cstddef>
#include <cstdint>

#include "memory_file.hpp"
#include <xgrad/train/checkpoint.hpp>
#include <xgrad/core/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static xgrad::fuzz::MemoryFile file;
  xgrad::Graph graph;
  xgrad::Parameter& W = graph.parameter("fc1.W", xt::zeros<double>({std::size_t{2}, std::size_t{3}}));
  graph.parameter("fc1.b", xt::zeros<double>({std::size_t{2}, std::size_t{1}}));
  try {
    xgrad::load_parameters(file.hold(data, size), graph);
  } catch (const xgrad::FileError&) {
    for (const double w : W.value) {
      if (w != 0.0) __builtin_trap();
    }
  }
  return 0;
}
