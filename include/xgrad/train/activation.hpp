/// @file
/// The node a declared layer puts after its Linear: a built-in (the table
/// builtin_activations(): relu, sigmoid, tanh, leaky_relu, elu, softmax, identity) or any
/// node class of the user's, added with one line and no
/// edit to xgrad:
///
///   xgrad::LayerSpec layer{20, xgrad::Activation::of<Softplus>("softplus")};
///
/// An Activation is a value (a kind name and a factory); nothing is registered globally.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xgrad/core/graph.hpp>

namespace xgrad {

/// The node a layer puts after its Linear: a kind name, a factory that adds it to a graph and
/// the settings that configure it. A value: copied freely, compared by kind.
class Activation {
 public:
  /// Adds the layer's node(s) to `graph` reading `input` (the layer's Linear, rows = units)
  /// and returns the node the next layer reads. `name` is kind + layer number ("relu1",
  /// "softplus2"); a factory that adds parameters names them from it ("softplus2.alpha").
  /// The returned node must have input.rows() rows (Model checks).
  using Factory = std::function<Node&(Graph& graph, std::string name, Node& input)>;
  /// The numbers that configure the node (leaky_relu: {"slope", 0.01}), as a checkpoint saves
  /// them; an ActivationRegistry makes the activation again from its kind and settings.
  using Settings = std::vector<std::pair<std::string, double>>;

  /// Requires a non-empty kind made of letters, digits and '_' and a factory (InputError else).
  Activation(std::string kind, Factory factory, Settings settings = {});

  static Activation relu();     ///< max(0, x), kind "relu", no settings
  static Activation sigmoid();  ///< 1 / (1 + e^-x), kind "sigmoid", no settings
  static Activation tanh();     ///< tanh(x), kind "tanh", no settings
  /// Requires a finite slope (checked when the node is built). Settings {"slope", slope}.
  static Activation leaky_relu(double slope = 0.01);
  /// A softmax over the layer's units. On the output layer of a softmax_cross_entropy model
  /// it is folded into the loss (which applies its own softmax to the logits; ModelSpec's
  /// describe() says so); with mean_squared_error it is the output; with
  /// sigmoid_cross_entropy on the output layer ModelSpec::validate refuses it.
  static Activation softmax();
  /// No node: the layer's output is its Linear's value.
  static Activation identity();
  /// LayerSpec's default: relu, marked as not chosen (chosen() is false). A hidden layer, or
  /// the output layer of a mean_squared_error model, gets relu from it; on the output layer
  /// of a cross-entropy model, whose loss applies its own sigmoid / softmax, Model takes it as
  /// identity (a layer written `{1}` means "the loss's own", as in 0.2).
  static Activation layer_default();

  /// Any node class N constructible as N(std::string name, Node& input, args...).
  template <class N, class... Args>
  static Activation of(std::string kind, Args... args) {
    return Activation(std::move(kind), [args...](Graph& graph, std::string name, Node& input) -> Node& {
      return graph.add<N>(std::move(name), input, args...);
    });
  }

  /// "relu", "leaky_relu", "softplus", ...
  const std::string& kind() const { return kind_; }
  const Settings& settings() const { return settings_; }  ///< what a checkpoint saves of it
  /// False only for layer_default(): the activation was not chosen for the layer.
  bool chosen() const { return chosen_; }
  /// Runs the factory: adds the node(s) named `name` reading `input` to `graph` and returns
  /// the node the next layer reads (see Factory).
  Node& build(Graph& graph, std::string name, Node& input) const { return factory_(graph, std::move(name), input); }

  /// Same kind name (factories are not compared).
  friend bool operator==(const Activation& a, const Activation& b) { return a.kind_ == b.kind_; }

 private:
  std::string kind_;
  Factory factory_;
  Settings settings_;
  bool chosen_ = true;
};

/// kind(), for messages and reports.
std::string to_string(const Activation& activation);

/// One built-in activation, as the one table (builtin_activations()) holds it: the parser,
/// its error message, the command line's help and the checkpoint registry all read it.
struct BuiltinActivation {
  std::string_view kind;     ///< "leaky_relu": what parse_activation and the CLI accept
  std::string_view help;     ///< a phrase for help texts ("slope 0.01"), or empty
  std::string_view setting;  ///< the one number it takes ("slope"), or empty for none
  double default_setting;    ///< the setting parse_activation(kind) uses
  Activation (*make)(double setting);  ///< the activation (setting ignored when it takes none)

  /// "leaky_relu=SLOPE" for a kind that takes a setting; empty for one that takes none.
  std::string setting_form() const;
};

/// Every built-in activation, in the order help texts list them: relu, sigmoid, tanh,
/// leaky_relu, elu, softmax, identity.
std::span<const BuiltinActivation> builtin_activations();

/// The built-in kinds for a message: "relu, sigmoid, ..., softmax or identity".
std::string builtin_activation_names();

/// A built-in kind -> the activation, with its default setting (leaky_relu: slope 0.01);
/// throws InputError "unknown activation 'x' (choose relu, ... or identity)" otherwise.
Activation parse_activation(const std::string& name);

/// A built-in kind that takes a setting, with that setting ("leaky_relu", 0.05). Throws
/// InputError naming the kinds that take one when `name` takes none, or as
/// parse_activation(name) for an unknown one.
Activation parse_activation(const std::string& name, double setting);

}  // namespace xgrad
