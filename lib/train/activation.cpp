#include <xgrad/train/activation.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>

#include <xgrad/core/error.hpp>
#include <xgrad/nodes/activations.hpp>
#include <xgrad/nodes/softmax.hpp>

namespace xgrad {

namespace {

// An activation of node kind N built as N(name, input, value), saving {setting, value}.
template <class N>
Activation with_setting(const std::string& kind, const std::string& setting, double value) {
  return Activation(
      kind, [value](Graph& graph, std::string name, Node& input) -> Node& { return graph.add<N>(std::move(name), input, value); },
      {{setting, value}});
}

}  // namespace

Activation::Activation(std::string kind, Factory factory, Settings settings)
    : kind_(std::move(kind)), factory_(std::move(factory)), settings_(std::move(settings)) {
  const bool word = !kind_.empty() && std::all_of(kind_.begin(), kind_.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_';
  });
  if (!word) throw InputError("activation: kind '" + kind_ + "' must be a non-empty word (letters, digits, '_')");
  if (!factory_) throw InputError("activation '" + kind_ + "': the factory is empty");
}

Activation Activation::relu() { return of<Relu>("relu"); }
Activation Activation::layer_default() {
  Activation a = relu();
  a.chosen_ = false;
  return a;
}
Activation Activation::sigmoid() { return of<Sigmoid>("sigmoid"); }
Activation Activation::tanh() { return of<Tanh>("tanh"); }
Activation Activation::leaky_relu(double slope) { return with_setting<LeakyRelu>("leaky_relu", "slope", slope); }
Activation Activation::softmax() { return of<Softmax>("softmax"); }
Activation Activation::identity() {
  return Activation("identity", [](Graph&, std::string, Node& input) -> Node& { return input; });
}

std::string to_string(const Activation& activation) { return activation.kind(); }

namespace {

// The one table of built-in activations. A new element-wise built-in is its function in
// nodes/activations.hpp and one row here.
constexpr BuiltinActivation builtin_table[] = {
    {"relu", "the hidden layers' default", "", 0.0, [](double) { return Activation::relu(); }},
    {"sigmoid", "", "", 0.0, [](double) { return Activation::sigmoid(); }},
    {"tanh", "", "", 0.0, [](double) { return Activation::tanh(); }},
    {"leaky_relu", "slope 0.01", "slope", 0.01, [](double slope) { return Activation::leaky_relu(slope); }},
    {"elu", "alpha 1", "alpha", 1.0, [](double alpha) { return with_setting<Elu>("elu", "alpha", alpha); }},
    {"softmax", "", "", 0.0, [](double) { return Activation::softmax(); }},
    {"identity", "", "", 0.0, [](double) { return Activation::identity(); }},
};

const BuiltinActivation* find_builtin(const std::string& name) {
  for (const BuiltinActivation& entry : builtin_table) {
    if (entry.kind == name) return &entry;
  }
  return nullptr;
}

}  // namespace

std::span<const BuiltinActivation> builtin_activations() { return builtin_table; }

std::string BuiltinActivation::setting_form() const {
  if (setting.empty()) return {};
  std::string form = std::string(kind) + "=";
  for (const char c : setting) form += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return form;
}

std::string builtin_activation_names() {
  std::string names;
  const std::size_t n = std::size(builtin_table);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) names += i + 1 == n ? " or " : ", ";
    names += builtin_table[i].kind;
  }
  return names;
}

Activation parse_activation(const std::string& name) {
  const BuiltinActivation* entry = find_builtin(name);
  if (entry == nullptr) throw InputError("unknown activation '" + name + "' (choose " + builtin_activation_names() + ")");
  return entry->make(entry->default_setting);
}

Activation parse_activation(const std::string& name, double setting) {
  const BuiltinActivation* entry = find_builtin(name);
  if (entry == nullptr) return parse_activation(name);
  if (entry->setting.empty()) {
    std::string takers;
    for (const BuiltinActivation& e : builtin_table) {
      if (!e.setting.empty()) takers += (takers.empty() ? "" : ", ") + e.setting_form();
    }
    throw InputError("'" + name + "' takes no parameter (these do: " + takers + ")");
  }
  return entry->make(setting);
}

}  // namespace xgrad
