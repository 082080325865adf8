// libFuzzer target: a --layers text either parses into a valid spec (and a small one builds
// and runs) or throws InputError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>
#include <xgrad/train/model.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    std::vector<std::size_t> dims{2};
    for (const std::size_t units : xgrad::parse_layer_sizes(text)) {
      if (units == 0) __builtin_trap();
      dims.push_back(units);
    }
    const xgrad::ModelSpec spec = xgrad::make_spec(dims, xgrad::Initializer{}, 0.1, 0.9);
    spec.validate();
    std::size_t parameters = 0;
    for (std::size_t l = 1; l < dims.size(); ++l) parameters += dims[l] * (dims[l - 1] + 1);
    if (parameters <= 20000) {
      xgrad::Model model(spec);
      model.feed(xt::ones<double>({std::size_t{2}, std::size_t{3}}), xt::ones<double>({dims.back(), std::size_t{3}}));
      model.graph().forward(xgrad::Mode::train);
      model.graph().backward();
    }
  } catch (const xgrad::InputError&) {
  }
  return 0;
}
