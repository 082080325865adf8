// The course's network written by hand, as a reader would write it without a library:
// [n0, n1, ..., nL] with ReLU hidden layers, a sigmoid output and the mean cross-entropy
// computed from the logits (the same formula as xgrad::SigmoidCrossEntropy), gradient
// descent. Buffers are std::vectors sized once in the constructor; a step allocates nothing.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include <xgrad/core/tensor.hpp>

namespace bench {

enum class Products {
  loops,  // the obvious loops: i-k-j for W A, dot products for dZ A^T
  blas,   // cblas_dgemm with transpose flags for the three products, loops for the rest
};

class HandNetwork {
 public:
  // params[l] = (W_{l+1}, b_{l+1}) with W of shape (dims[l+1], dims[l]); X is (dims[0], m),
  // Y is (dims.back(), m).
  HandNetwork(const std::vector<std::size_t>& dims,
              const std::vector<std::pair<xgrad::Matrix, xgrad::Matrix>>& params,
              const xgrad::Matrix& X, const xgrad::Matrix& Y, Products products);

  // Forward, cost, backward, update; returns the cost before the update.
  double step(double learning_rate);
  // Forward and cost only.
  double cost();
  // Forward, cost and backward (gradients in dW/db); returns the cost.
  double cost_and_gradients();

  std::size_t layers() const { return W_.size(); }
  std::vector<double>& W(std::size_t l) { return W_[l]; }
  std::vector<double>& b(std::size_t l) { return b_[l]; }
  const std::vector<double>& dW(std::size_t l) const { return dW_[l]; }
  const std::vector<double>& db(std::size_t l) const { return db_[l]; }

 private:
  void forward();
  double cross_entropy() const;
  void backward();
  void update(double learning_rate);

  std::vector<std::size_t> dims_;
  std::size_t m_;
  Products products_;
  std::vector<double> X_, Y_;
  std::vector<std::vector<double>> W_, b_, dW_, db_;
  std::vector<std::vector<double>> Z_, A_, dZ_;  // per layer, (n_l, m)
};

}  // namespace bench
