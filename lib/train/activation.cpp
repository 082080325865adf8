#include <xgrad/train/activation.hpp>

#include <algorithm>
#include <cctype>

#include <xgrad/core/error.hpp>
#include <xgrad/nodes/leaky_relu.hpp>
#include <xgrad/nodes/relu.hpp>
#include <xgrad/nodes/sigmoid.hpp>
#include <xgrad/nodes/softmax.hpp>
#include <xgrad/nodes/tanh.hpp>

namespace xgrad {

Activation::Activation(std::string kind, Factory factory, Settings settings)
    : kind_(std::move(kind)), factory_(std::move(factory)), settings_(std::move(settings)) {
  const bool word = !kind_.empty() && std::all_of(kind_.begin(), kind_.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_';
  });
  if (!word) throw InputError("activation: kind '" + kind_ + "' must be a non-empty word (letters, digits, '_')");
  if (!factory_) throw InputError("activation '" + kind_ + "': the factory is empty");
}

Activation Activation::relu() { return of<Relu>("relu"); }
Activation Activation::sigmoid() { return of<Sigmoid>("sigmoid"); }
Activation Activation::tanh() { return of<Tanh>("tanh"); }
Activation Activation::leaky_relu(double slope) {
  Activation a = of<LeakyRelu>("leaky_relu", slope);
  a.settings_ = {{"slope", slope}};
  return a;
}
Activation Activation::softmax() { return of<Softmax>("softmax"); }
Activation Activation::identity() {
  return Activation("identity", [](Graph&, std::string, Node& input) -> Node& { return input; });
}

std::string to_string(const Activation& activation) { return activation.kind(); }

Activation parse_activation(const std::string& name) {
  for (const Activation& a : {Activation::relu(), Activation::sigmoid(), Activation::tanh(), Activation::leaky_relu(),
                              Activation::softmax(), Activation::identity()}) {
    if (a.kind() == name) return a;
  }
  throw InputError("unknown activation '" + name + "' (choose relu, sigmoid, tanh, leaky_relu, softmax or identity)");
}

}  // namespace xgrad
