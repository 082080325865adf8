/// @file
/// The activations a checkpoint may name: the built-ins, plus the user's own kinds, each
/// with a maker from its saved settings. A registry is a value the user builds and passes to
/// load_checkpoint / load_model; nothing is registered globally.
///
///   xgrad::ActivationRegistry registry;
///   registry.add("scaled_tanh", [](const xgrad::Activation::Settings& s) {
///     return xgrad::Activation("scaled_tanh", make_scaled_tanh, s);  // a learnable scale: a parameter
///   });
///   auto model = xgrad::load_model("run.npz", registry);
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <xgrad/train/activation.hpp>

namespace xgrad {

/// Makes activations again from a kind name and settings (as a checkpoint saved them); knows
/// the built-ins and any kind added to it.
class ActivationRegistry {
 public:
  /// Makes the activation of one kind from its settings.
  using Maker = std::function<Activation(const Activation::Settings& settings)>;

  /// Knows the built-ins (builtin_activations(): relu, sigmoid, tanh, softmax, identity
  /// with no settings; leaky_relu with the setting "slope"; ...).
  ActivationRegistry();

  /// Adds (or replaces) a kind. Requires a kind that Activation accepts and a maker
  /// (InputError otherwise). Returns *this.
  ActivationRegistry& add(const std::string& kind, Maker make);
  /// A kind made by Activation::of<N>(kind) with no settings.
  template <class N>
  ActivationRegistry& add(const std::string& kind) {
    return add(kind, [kind](const Activation::Settings&) { return Activation::of<N>(kind); });
  }

  bool contains(const std::string& kind) const { return makers_.count(kind) != 0; }  ///< whether `kind` is registered
  std::vector<std::string> kinds() const;  ///< the registered kinds, sorted by name
  /// The activation of `kind` made from `settings`. Throws InputError naming the kind and
  /// the known ones when it is not registered, or when the maker returns another kind or
  /// throws (its message is kept).
  Activation make(const std::string& kind, const Activation::Settings& settings) const;

 private:
  std::map<std::string, Maker> makers_;
};

}  // namespace xgrad
