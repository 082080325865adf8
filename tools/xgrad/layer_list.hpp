// The --layers flag's value: comma-separated layers, each UNITS[:ACTIVATION], where
// ACTIVATION is a built-in of xgrad::builtin_activations(), KIND=VALUE for one that takes a
// setting ("20:tanh,3:leaky_relu=0.05,1"). A layer without one takes the default its place gets
// (ModelFlags: relu for hidden layers).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <xgrad/train/activation.hpp>

namespace xgrad::cli {

struct LayerFlag {
  std::size_t units = 1;
  std::optional<Activation> activation;  // absent: the default for the layer's place
};

// Throws InputError (without the flag's name) naming the layer (counting from 1) and what
// is wrong: "the list is empty (give sizes such as 20,3,1)", "layer 2 of '10,0,1': expected
// a whole number >= 1, got '0'", "layer 1 of '20:foo,1': unknown activation 'foo' (choose
// ...)", "layer 1 of '20:relu=2,1': 'relu' takes no parameter (these do: leaky_relu=SLOPE...)",
// "layer 1 of '20:leaky_relu=x,1': the slope 'x' is not a finite number".
std::vector<LayerFlag> parse_layer_list(const std::string& text);

}  // namespace xgrad::cli
