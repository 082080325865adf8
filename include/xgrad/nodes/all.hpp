/// @file
/// Every node kind the library ships, and the list of them. The test suite instantiates a
/// gradient-check case for each type in BuiltinNodeKinds (a missing case does not compile),
/// and checks that every node class declared under include/xgrad/nodes/ is in the list; the
/// element-wise activations are checked through the activation table (train/activation.hpp).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/nodes/activations.hpp>
#include <xgrad/nodes/dropout.hpp>
#include <xgrad/nodes/input.hpp>
#include <xgrad/nodes/linear.hpp>
#include <xgrad/nodes/losses.hpp>
#include <xgrad/nodes/mean_squared_error.hpp>
#include <xgrad/nodes/softmax.hpp>
#include <xgrad/nodes/softmax_cross_entropy.hpp>

namespace xgrad {

/// A list of types, to iterate over at compile time.
template <class... Kinds>
struct NodeKindList {};

/// The computing node kinds (Input is a placeholder with nothing to check).
using BuiltinNodeKinds =
    NodeKindList<Linear, Relu, Sigmoid, Dropout, SigmoidCrossEntropy, BinaryCrossEntropy, L2Penalty,
                 Add, Tanh, LeakyRelu, Softmax, SoftmaxCrossEntropy, MeanSquaredError>;

}  // namespace xgrad
