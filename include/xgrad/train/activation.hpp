/// @file
/// The node a declared layer puts after its Linear: a built-in (relu, sigmoid, tanh,
/// leaky_relu, softmax, identity) or any node class of the user's, added with one line and no
/// edit to xgrad:
///
///   xgrad::LayerSpec layer{20, xgrad::Activation::of<Softplus>("softplus")};
///
/// An Activation is a value (a kind name and a factory); nothing is registered globally.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <functional>
#include <string>
#include <utility>

#include <xgrad/core/graph.hpp>

namespace xgrad {

/// The node after a layer's Linear in a declared model: a kind name and a factory that adds
/// the node (and any parameters of its own) to the graph. Built-in kinds or any node class
/// of the user's (of<N>()); nothing is registered globally.
class Activation {
 public:
  /// Adds the layer's node(s) to `graph` reading `input` (the layer's Linear, rows = units)
  /// and returns the node the next layer reads. `name` is kind + layer number ("relu1",
  /// "softplus2"); a factory that adds parameters names them from it ("softplus2.alpha").
  /// The returned node must have input.rows() rows (Model checks).
  using Factory = std::function<Node&(Graph& graph, std::string name, Node& input)>;

  /// Requires a non-empty kind made of letters, digits and '_' and a factory (InputError else).
  Activation(std::string kind, Factory factory);

  /// Relu; the hidden layers' default.
  static Activation relu();
  /// Sigmoid.
  static Activation sigmoid();
  /// Tanh.
  static Activation tanh();
  /// Requires a finite slope (checked when the node is built).
  static Activation leaky_relu(double slope = 0.01);
  /// Softmax over each column.
  static Activation softmax();
  /// No node: the layer's output is its Linear's value.
  static Activation identity();

  /// Any node class N constructible as N(std::string name, Node& input, args...).
  template <class N, class... Args>
  static Activation of(std::string kind, Args... args) {
    return Activation(std::move(kind), [args...](Graph& graph, std::string name, Node& input) -> Node& {
      return graph.add<N>(std::move(name), input, args...);
    });
  }

  /// "relu", "leaky_relu", "softplus", ...
  const std::string& kind() const { return kind_; }
  /// Adds the node(s) to `graph` reading `input` and returns the one the next layer reads.
  Node& build(Graph& graph, std::string name, Node& input) const { return factory_(graph, std::move(name), input); }

  /// Same kind name (factories are not compared).
  friend bool operator==(const Activation& a, const Activation& b) { return a.kind_ == b.kind_; }

 private:
  std::string kind_;
  Factory factory_;
};

/// kind(), for messages and reports.
std::string to_string(const Activation& activation);

/// "relu", "sigmoid", "tanh", "leaky_relu", "softmax", "identity" -> the built-in; throws
/// InputError listing the choices otherwise.
Activation parse_activation(const std::string& name);

}  // namespace xgrad
