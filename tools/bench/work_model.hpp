// The work of one training step of a dense network (ReLU hidden layers, sigmoid output with
// the cross-entropy, gradient descent), counted from its shape: how many flops and bytes it
// needs at least, whatever computes it. The benchmark divides these by the measured step
// time to state each series' GFlop/s and its share of the machine's peak (machine.hpp).
#pragma once

#include <cstddef>
#include <vector>

namespace bench {

struct StepWork {
  // Flops: 2 per multiply-add of the products (forward W A, backward dZ A^T and W^T dZ but
  // for the first layer), 1 per entry of each element-wise pass (bias, activation, its
  // mask, the bias gradient, the loss and its gradient; an exp or log counts 1), 2 per
  // parameter for the update.
  double flops = 0.0;
  // Bytes of the step's per-example buffers (X, Y, each layer's Z and A, their gradients),
  // each written once and read once, 8 bytes a double: the traffic if nothing stayed in cache.
  double buffer_bytes = 0.0;
  // Bytes of the data alone (X and Y, read once): the traffic from memory when the buffers
  // stay in cache, as a tile of the tiled pass (or the whole of a small batch) does.
  double data_bytes = 0.0;
};

// dims = {inputs, hidden..., 1}; m examples.
StepWork step_work(const std::vector<std::size_t>& dims, std::size_t m);

}  // namespace bench
