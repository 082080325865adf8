// TileGraph: a small graph with every built-in column-separable node kind, for the tests of
// column tiles (test_graph) and of tiles on worker threads (test_determinism).
//   X (3 rows) -> fc1 (6) -> relu -> fc2 (5) -> tanh -> fc3 (4) -> leaky (slope 0.1) -> fc4 (3)
//   -> the head named by `head` -> + L2 penalty (lambda 0.7 on the four weights) = "cost"
// Heads: "sigmoid" (sigmoid cross-entropy on the logits, 0/1 labels), "softmax" (softmax
// cross-entropy, class-index labels, Y has 1 row), "softmax_one_hot" (the same, one-hot
// labels), "mse" (squared error against normal targets), "sigmoid_bce" (Sigmoid node, then
// binary cross-entropy), "softmax_mse" (Softmax node, then squared error against one-hot
// targets). m examples, features and labels drawn from RandomState(5) and fed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad::testing {

struct TileGraph {
  Graph g;
  Input& x;
  Input& y;
  Matrix labels;  // as fed to y (y.value() holds a tile only while the graph is in tiles)

  TileGraph(const std::string& head, std::size_t m) : x(g.input("X", 3)), y(g.input("Y", head == "softmax" ? 1 : 3)) {
    RandomState rng(5);
    const std::vector<std::size_t> sizes{3, 6, 5, 4, 3};
    Node* a = &x;
    std::vector<Parameter*> weights;
    for (std::size_t l = 1; l < sizes.size(); ++l) {
      const std::string n = "fc" + std::to_string(l);
      auto& W = g.parameter(n + ".W", rng.randn(sizes[l], sizes[l - 1]));
      auto& b = g.parameter(n + ".b", rng.randn(sizes[l], 1));
      weights.push_back(&W);
      a = &g.add<Linear>(n, *a, W, b);
      if (l == 1) a = &g.add<Relu>("relu", *a);
      if (l == 2) a = &g.add<Tanh>("tanh", *a);
      if (l == 3) a = &g.add<LeakyRelu>("leaky", *a, 0.1);
    }
    const Matrix classes = xt::floor(rng.rand(1, m) * 3.0);
    Matrix one_hot = xt::zeros<double>({std::size_t{3}, m});
    for (std::size_t j = 0; j < m; ++j) one_hot(static_cast<std::size_t>(classes(0, j)), j) = 1.0;
    Node* term = nullptr;
    if (head == "sigmoid") {
      term = &g.add<SigmoidCrossEntropy>("ce", *a, y);
      labels = xt::floor(rng.rand(3, m) * 2.0);
    } else if (head == "softmax" || head == "softmax_one_hot") {
      term = &g.add<SoftmaxCrossEntropy>("ce", *a, y);
      labels = head == "softmax" ? classes : one_hot;
    } else if (head == "mse") {
      term = &g.add<MeanSquaredError>("mse", *a, y);
      labels = rng.randn(3, m);
    } else if (head == "sigmoid_bce") {
      term = &g.add<BinaryCrossEntropy>("ce", g.add<Sigmoid>("sigmoid", *a), y);
      labels = xt::floor(rng.rand(3, m) * 2.0);
    } else if (head == "softmax_mse") {
      term = &g.add<MeanSquaredError>("mse", g.add<Softmax>("softmax", *a), y);
      labels = one_hot;
    } else {
      throw InputError("TileGraph: no head named '" + head + "'");
    }
    auto& l2 = g.add<L2Penalty>("l2", weights, 0.7);
    g.set_loss(g.add<Add>("cost", std::vector<Node*>{term, &l2}));
    g.feed(x, rng.randn(3, m));
    g.feed(y, labels);
  }
};

}  // namespace xgrad::testing
