#include <xgrad/train/activation_registry.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {

ActivationRegistry::ActivationRegistry() {
  for (const BuiltinActivation& builtin : builtin_activations()) {
    makers_[std::string(builtin.kind)] = [&builtin](const Activation::Settings& s) {
      const std::string kind(builtin.kind);
      if (builtin.setting.empty()) {
        if (!s.empty()) throw InputError("activation '" + kind + "' takes no settings, got '" + s.front().first + "'");
        return builtin.make(builtin.default_setting);
      }
      if (s.size() != 1 || s[0].first != builtin.setting) {
        throw InputError("activation '" + kind + "' takes one setting, " + std::string(builtin.setting));
      }
      return builtin.make(s[0].second);
    };
  }
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
