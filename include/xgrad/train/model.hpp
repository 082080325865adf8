// Declarative models: a spec (layer sizes, activations, dropout keep probabilities, L2
// lambda, initializer and its seed) that builds the graph
//   X -> [Linear -> activation -> Dropout?] x hidden -> Linear -> sigmoid cross-entropy (+ L2)
// The same spec can come from C++ or from the command line (--layers 20,3,1).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstdint>
#include <string>
#include <vector>

#include <xgrad/core/graph.hpp>
#include <xgrad/train/init.hpp>
#include <xgrad/nodes/losses.hpp>
#include <xgrad/core/random_stream.hpp>

namespace xgrad {

enum class Activation { relu, sigmoid };

std::string to_string(Activation activation);

struct LayerSpec {
  std::size_t units = 1;
  Activation activation = Activation::relu;  // hidden layers; the output layer is sigmoid
  double keep_prob = 1.0;                    // dropout after this hidden layer when < 1
};

struct ModelSpec {
  std::size_t inputs = 2;
  std::vector<LayerSpec> layers;  // hidden layers, then the output layer
  double lambda = 0.0;            // L2 penalty on every W
  Initializer init;
  MaskPolicy dropout_masks = MaskPolicy::replay;  // the notes reseed before every pass
  std::uint64_t dropout_seed = 1;

  // [inputs, units of each layer...]: the notes' layers_dims.
  std::vector<std::size_t> dims() const;
  bool uses_dropout() const;
  // At most this many weights and biases in all (8 GB of doubles).
  static constexpr std::size_t max_parameters = std::size_t{1} << 30;

  // Throws InputError naming the problem: no layers, a zero width, keep_prob outside
  // (0, 1], keep_prob < 1 on the output layer, lambda < 0 or not finite, more than
  // max_parameters weights and biases.
  void validate() const;
  // "2-20-3-1, relu, he seed 3, L2 0.7, dropout keep 0.86 (replay, seed 1)"
  std::string describe() const;
};

// A spec with ReLU hidden layers and one keep_prob for every hidden layer.
// dims = [inputs, hidden..., outputs].
ModelSpec make_spec(const std::vector<std::size_t>& dims, const Initializer& init,
                    double lambda = 0.0, double keep_prob = 1.0);

// "10,5,1" -> {10, 5, 1}. Throws InputError on an empty list, a zero or non-numeric entry.
std::vector<std::size_t> parse_layer_sizes(const std::string& text);

// The graph a spec builds, with handles to the parts a trainer needs. Node names: fc1,
// relu1, dropout1, ..., fcL, cross_entropy, l2, cost; parameters fc1.W, fc1.b, ...
class Model {
 public:
  // Validates the spec, draws the initial parameters and builds the graph.
  explicit Model(const ModelSpec& spec);

  const ModelSpec& spec() const { return spec_; }
  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }
  Input& features() { return *features_; }
  Input& labels() { return *labels_; }
  // The output layer's sigmoid cross-entropy; its probabilities() are the predictions.
  const SigmoidCrossEntropy& output() const { return *output_; }
  // fc1.W, fc2.W, ...: the weights the L2 penalty reads.
  const std::vector<Parameter*>& weights() const { return weights_; }

  // Feeds a data set (X (inputs, m), Y (1, m)); throws InputError naming the shapes.
  void feed(const Matrix& X, const Matrix& Y);

 private:
  ModelSpec spec_;
  Graph graph_;
  Input* features_ = nullptr;
  Input* labels_ = nullptr;
  SigmoidCrossEntropy* output_ = nullptr;
  std::vector<Parameter*> weights_;
};

}  // namespace xgrad
