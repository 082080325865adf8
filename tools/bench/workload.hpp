// What the benchmarks run: a network shape on make_circles data, built both as an xgrad
// Model and as the hand-written network, from the same data and the same initial weights.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hand_network.hpp"
#include <xgrad/core/dataset.hpp>
#include <xgrad/train/model.hpp>

namespace bench {

// The course's He run: learning rate 0.01.
inline constexpr double learning_rate = 0.01;

// "2-10-5-1"
std::string dims_name(const std::vector<std::size_t>& dims);

// make_circles(m, noise 0.05) on RandomState(1): for m = 300, the course's training set.
xgrad::Dataset circles(std::size_t m);

// ReLU hidden layers, sigmoid output, He initialization with seed 3 (the course's
// initialization_network(he) for dims [2, 10, 5, 1]).
xgrad::ModelSpec he_spec(const std::vector<std::size_t>& dims);

// The model's current parameters as (W, b) pairs, for a HandNetwork.
std::vector<std::pair<xgrad::Matrix, xgrad::Matrix>> parameters_of(xgrad::Model& model);

// A fed model and its hand-written twins on the same data and initial weights.
struct Workload {
  Workload(const std::vector<std::size_t>& dims, std::size_t m, bool with_blas_twin);

  std::vector<std::size_t> dims;
  xgrad::Dataset data;
  xgrad::Model model;
  HandNetwork hand;                   // the obvious loops
  std::optional<HandNetwork> hand_blas;  // cblas_dgemm for the products
};

// Bytes of the model's buffers after feeding: data (the input nodes' values), activations
// (every other node's value, the output probabilities, dropout masks), gradients (node
// gradients that backward writes, parameter gradients) and parameters.
struct BufferBytes {
  std::size_t data = 0;
  std::size_t activations = 0;
  std::size_t gradients = 0;
  std::size_t parameters = 0;
  std::size_t total() const { return data + activations + gradients + parameters; }
};
// (Running in column tiles, activations and gradients are one tile's; data is the batch's.)
BufferBytes buffer_bytes(xgrad::Model& model);
// Activations and gradients (node values, gradients, output probabilities) that the model
// would hold running its fed batch whole.
std::size_t untiled_bytes(xgrad::Model& model);

}  // namespace bench
