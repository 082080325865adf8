/// @file
/// Declarative models: a spec (the input width; per layer its units, the node after its
/// Linear — a built-in or the user's own, see activation.hpp — and a dropout keep probability;
/// dropout on the inputs; L2 lambda and the parameters it reads; the output loss; the
/// initializer and its seed) that builds the graph
///   X -> Dropout? -> [Linear -> activation -> Dropout?] x hidden -> Linear -> loss (+ L2)
/// The same spec can come from C++ or from the command line (--layers 20,3,1).
///
/// The course's networks are make_spec(...) instances (models/course.hpp).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstdint>
#include <string>
#include <vector>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/core/random_stream.hpp>
#include <xgrad/nodes/losses.hpp>
#include <xgrad/train/activation.hpp>
#include <xgrad/train/init.hpp>

namespace xgrad {

/// The output loss, on the last layer's Linear output (the logits) z:
enum class Loss {
  sigmoid_cross_entropy,  ///< SigmoidCrossEntropy(z, Y): 0/1 labels, one row per output
  softmax_cross_entropy,  ///< SoftmaxCrossEntropy(z, Y): k >= 2 outputs, one-hot or class-index labels
  mean_squared_error,     ///< MeanSquaredError(activation(z), Y): targets, one row per output
};

/// "sigmoid_cross_entropy", "softmax_cross_entropy", "mean_squared_error"; parse_loss throws
/// InputError listing the choices.
std::string to_string(Loss loss);
/// The Loss named `name` (one of to_string's names); throws InputError listing the choices.
Loss parse_loss(const std::string& name);

/// How a data set's Y holds the labels.
enum class LabelLayout {
  one_row_per_output,  ///< Y is (outputs, m): 0/1 labels, one-hot columns or regression targets
  class_index,         ///< Y is (1, m) of class indices 0 .. outputs-1 (softmax cross-entropy only)
};

/// One layer of a ModelSpec: a Linear of `units` outputs, its activation and dropout.
struct LayerSpec {
  std::size_t units = 1;  ///< output rows of the layer's Linear
  /// The node after this layer's Linear, named kind + layer number ("relu1"). On the output
  /// layer it is read by mean_squared_error only: the cross-entropy losses apply their own
  /// sigmoid / softmax to the logits, so there it must be that one (folded into the loss;
  /// make_spec sets sigmoid, for the record) or identity; validate() refuses any other
  /// chosen one. Left at its default (Activation::layer_default(): relu where it is read),
  /// a cross-entropy model's output layer takes the loss's own (Model::spec() then says
  /// identity).
  Activation activation = Activation::layer_default();
  double keep_prob = 1.0;  ///< dropout after this hidden layer when < 1
};

/// The architecture and training-time settings a Model is built from; validate() checks it.
struct ModelSpec {
  std::size_t inputs = 2;  ///< features per example (rows of X)
  std::vector<LayerSpec> layers;  ///< hidden layers, then the output layer
  double input_keep_prob = 1.0;   ///< dropout on the inputs X ("dropout0") when < 1
  double lambda = 0.0;            ///< L2 penalty lambda / (2m) * sum of squares of...
  std::vector<std::string> l2_parameters;  ///< ...these parameters; empty: every fcN.W
  Loss loss = Loss::sigmoid_cross_entropy;  ///< the output's loss
  LabelLayout labels = LabelLayout::one_row_per_output;  ///< how Y holds the labels
  Initializer init;  ///< how the weights are drawn
  /// fresh: a new dropout mask every step (real training). The course's notebook reseeds
  /// before every pass: models/ and the CLI ask for MaskPolicy::replay explicitly.
  MaskPolicy dropout_masks = MaskPolicy::fresh;
  std::uint64_t dropout_seed = 1;  ///< seed of the dropout stream

  /// [inputs, units of each layer...]: the notes' layers_dims.
  std::vector<std::size_t> dims() const;
  /// True when input_keep_prob or any layer's keep_prob is below 1.
  bool uses_dropout() const;
  /// Rows of Y: 1 for class-index labels, else the output layer's units.
  std::size_t label_rows() const;
  /// What one row of labels read from a data file must hold for this spec (load_dataset's
  /// DatasetFiles::label_rule): 0/1 for sigmoid cross-entropy, class indices 0..k-1 (k the
  /// output units) for softmax cross-entropy with class-index labels, any finite target for
  /// mean squared error. Requires label_rows() == 1 (InputError naming the layout otherwise).
  LabelRule label_rule() const;
  /// At most this many weights and biases in all (8 GB of doubles).
  static constexpr std::size_t max_parameters = std::size_t{1} << 30;

  /// Throws InputError naming the problem: no layers, a zero width, keep_prob outside
  /// (0, 1], keep_prob < 1 on the output layer, lambda < 0 or not finite, more than
  /// max_parameters weights and biases, a softmax layer of 1 unit (a constant), softmax
  /// cross-entropy on fewer than 2 outputs, a cross-entropy whose output layer's activation
  /// is neither its own (sigmoid / softmax, folded into the loss) nor identity, class-index
  /// labels with another loss. (Unknown l2_parameters are named by Model.)
  void validate() const;
  /// "2-20-3-1, relu, he seed 3, L2 0.7, dropout keep 0.86 (replay, seed 1)"; per-layer
  /// activations, another loss, input dropout and chosen L2 parameters are added when used;
  /// "softmax_cross_entropy (class indices) with the output softmax folded into the loss"
  /// when the output layer declares Activation::softmax().
  std::string describe() const;
};

/// A spec with ReLU hidden layers, one keep_prob for every hidden layer and the sigmoid
/// cross-entropy output. dims = [inputs, hidden..., outputs]. A keep_prob other than 1 with no
/// hidden layer is refused (InputError): there would be nothing to drop out of.
ModelSpec make_spec(const std::vector<std::size_t>& dims, const Initializer& init,
                    double lambda = 0.0, double keep_prob = 1.0);

/// "10,5,1" -> {10, 5, 1}. Throws InputError on an empty list, a zero or non-numeric entry.
std::vector<std::size_t> parse_layer_sizes(const std::string& text);

/// The graph a spec builds, with handles to the parts a trainer needs. Node names: X, Y,
/// dropout0, fc1, relu1 (the activation's kind + layer), dropout1, ..., fcL, then
/// cross_entropy (both cross-entropies) or `<activation>L` and mse, then l2 and cost when
/// lambda > 0; parameters fc1.W, fc1.b, ... (plus any a user's activation adds).
class Model {
 public:
  /// Validates the spec, draws the initial parameters and builds the graph.
  explicit Model(const ModelSpec& spec);

  const ModelSpec& spec() const { return spec_; }  ///< the spec the model was built from
  Graph& graph() { return graph_; }  ///< the built graph
  const Graph& graph() const { return graph_; }  ///< the built graph
  Input& features() { return *features_; }  ///< the input node X, (inputs, m)
  Input& labels() { return *labels_; }  ///< the input node Y, (label_rows(), m)
  /// The output loss node (cross_entropy or mse), before any L2 term.
  const Node& loss_term() const { return *loss_term_; }
  /// The output layer's sigmoid cross-entropy. Requires loss sigmoid_cross_entropy
  /// (InputError otherwise; use predictions()).
  const SigmoidCrossEntropy& output() const;
  /// After a forward pass, shape (outputs, batch): sigmoid or softmax probabilities for the
  /// cross-entropies, the output activation's value for mean_squared_error.
  const Matrix& predictions() const { return *predictions_; }
  /// The weights the L2 penalty reads (every fcN.W unless spec.l2_parameters says otherwise).
  const std::vector<Parameter*>& weights() const { return weights_; }

  /// Feeds a data set (X (inputs, m), Y (spec.label_rows(), m)); throws InputError naming the shapes.
  void feed(const Matrix& X, const Matrix& Y);
  /// Throws InputError whose message starts with `source` when data does not suit the
  /// model: validate_dataset with label_rule() when Y has one row; otherwise no examples,
  /// X with another row count than the inputs, Y with another than label_rows(), column
  /// counts that differ, NaN/inf anywhere, a label its LabelRule does not accept (0/1 for
  /// the cross-entropies' one-row-per-output labels, any finite target for mean squared
  /// error; named as validate_dataset names it) or columns that are not one-hot (softmax).
  void validate_data(const Dataset& data, const std::string& source) const;

 private:
  ModelSpec spec_;
  Graph graph_;
  Input* features_ = nullptr;
  Input* labels_ = nullptr;
  Node* loss_term_ = nullptr;
  const Matrix* predictions_ = nullptr;
  std::vector<Parameter*> weights_;
};

}  // namespace xgrad
