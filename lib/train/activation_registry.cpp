#include <xgrad/train/activation_registry.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {

namespace {

Activation::Settings no_settings(const std::string& kind, const Activation::Settings& settings) {
  if (!settings.empty()) {
    throw InputError("activation '" + kind + "' takes no settings, got '" + settings.front().first + "'");
  }
  return {};
}

}  // namespace

ActivationRegistry::ActivationRegistry() {
  makers_["relu"] = [](const Activation::Settings& s) { return no_settings("relu", s), Activation::relu(); };
  makers_["sigmoid"] = [](const Activation::Settings& s) { return no_settings("sigmoid", s), Activation::sigmoid(); };
  makers_["tanh"] = [](const Activation::Settings& s) { return no_settings("tanh", s), Activation::tanh(); };
  makers_["softmax"] = [](const Activation::Settings& s) { return no_settings("softmax", s), Activation::softmax(); };
  makers_["identity"] = [](const Activation::Settings& s) {
    return no_settings("identity", s), Activation::identity();
  };
  makers_["leaky_relu"] = [](const Activation::Settings& s) {
    if (s.size() != 1 || s[0].first != "slope") throw InputError("activation 'leaky_relu' takes one setting, slope");
    return Activation::leaky_relu(s[0].second);
  };
}

ActivationRegistry& ActivationRegistry::add(const std::string& kind, Maker make) {
  if (!make) throw InputError("activation registry: the maker of '" + kind + "' is empty");
  Activation(kind, [](Graph&, std::string, Node& input) -> Node& { return input; });  // checks the kind
  makers_[kind] = std::move(make);
  return *this;
}

std::vector<std::string> ActivationRegistry::kinds() const {
  std::vector<std::string> kinds;
  for (const auto& [kind, maker] : makers_) kinds.push_back(kind);
  return kinds;
}

Activation ActivationRegistry::make(const std::string& kind, const Activation::Settings& settings) const {
  const auto found = makers_.find(kind);
  if (found == makers_.end()) {
    std::string known;
    for (const auto& [k, maker] : makers_) known += (known.empty() ? "" : ", ") + k;
    throw InputError("activation '" + kind + "' is not in the registry (it knows " + known +
                     "): add the node kind with ActivationRegistry::add");
  }
  Activation made = found->second(settings);
  if (made.kind() != kind) {
    throw InputError("activation registry: the maker of '" + kind + "' made a '" + made.kind() + "'");
  }
  return made;
}

}  // namespace xgrad
