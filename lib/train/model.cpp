#include <xgrad/train/model.hpp>

#include <charconv>
#include <cmath>
#include <sstream>
#include <utility>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/nodes/all.hpp>

namespace xgrad {

std::string to_string(Loss loss) {
  switch (loss) {
    case Loss::sigmoid_cross_entropy: return "sigmoid_cross_entropy";
    case Loss::softmax_cross_entropy: return "softmax_cross_entropy";
    case Loss::mean_squared_error: return "mean_squared_error";
  }
  return "?";
}

Loss parse_loss(const std::string& name) {
  for (Loss l : {Loss::sigmoid_cross_entropy, Loss::softmax_cross_entropy, Loss::mean_squared_error}) {
    if (to_string(l) == name) return l;
  }
  throw InputError("unknown loss '" + name +
                   "' (choose sigmoid_cross_entropy, softmax_cross_entropy or mean_squared_error)");
}

std::vector<std::size_t> ModelSpec::dims() const {
  std::vector<std::size_t> d{inputs};
  for (const LayerSpec& l : layers) d.push_back(l.units);
  return d;
}

std::size_t ModelSpec::label_rows() const {
  return labels == LabelLayout::class_index || layers.empty() ? 1 : layers.back().units;
}

namespace {

// What every entry of Y must be for `spec`, whatever its layout: 0/1 for the sigmoid
// cross-entropy and for one-hot columns, class indices for class-index labels, any finite
// target for mean squared error. The one translation of Loss and LabelLayout into a LabelRule.
LabelRule entry_rule(const ModelSpec& spec) {
  switch (spec.loss) {
    case Loss::sigmoid_cross_entropy: return LabelRule::binary();
    case Loss::softmax_cross_entropy:
      return spec.labels == LabelLayout::class_index ? LabelRule::class_indices(spec.layers.back().units)
                                                     : LabelRule::binary();
    case Loss::mean_squared_error: return LabelRule::targets();
  }
  return LabelRule::binary();
}

}  // namespace

LabelRule ModelSpec::label_rule() const {
  if (label_rows() != 1) {
    throw InputError("model: " + std::to_string(label_rows()) + " label rows (one per output of " + to_string(loss) +
                     "), but a data file holds one row of labels");
  }
  return entry_rule(*this);
}

bool ModelSpec::uses_dropout() const {
  if (input_keep_prob < 1.0) return true;
  for (const LayerSpec& l : layers) {
    if (l.keep_prob < 1.0) return true;
  }
  return false;
}

void ModelSpec::validate() const {
  if (layers.empty()) throw InputError("model: the layer list is empty (give at least an output layer)");
  if (inputs == 0) throw InputError("model: the input width is zero");
  if (!(input_keep_prob > 0.0 && input_keep_prob <= 1.0)) {
    throw InputError("model: input_keep_prob must be in (0, 1], got " + format_double(input_keep_prob));
  }
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerSpec& layer = layers[l];
    const std::string which = "model: layer " + std::to_string(l + 1);
    if (layer.units == 0) throw InputError(which + " has zero width");
    if (!(layer.keep_prob > 0.0 && layer.keep_prob <= 1.0)) {
      throw InputError(which + ": keep_prob must be in (0, 1], got " + format_double(layer.keep_prob));
    }
    if (l + 1 == layers.size() && layer.keep_prob < 1.0) {
      throw InputError(which + " is the output layer: it takes no dropout");
    }
    if (layer.activation.kind() == "softmax" && layer.units == 1) {
      throw InputError(which + ": softmax over 1 unit is the constant 1 (nothing to learn): give it 2 or more "
                       "units, or use sigmoid");
    }
  }
  const auto d = dims();
  std::size_t total = 0;
  for (std::size_t l = 1; l < d.size(); ++l) {
    const std::size_t room = max_parameters - total;
    if (d[l - 1] >= max_parameters || d[l] > room / (d[l - 1] + 1)) {
      throw InputError("model: layer " + std::to_string(l) + " (" + std::to_string(d[l]) + " units on " +
                       std::to_string(d[l - 1]) + " inputs) takes the parameter count past the limit of " +
                       std::to_string(max_parameters));
    }
    total += d[l] * (d[l - 1] + 1);
  }
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) {
    throw InputError("model: lambda must be a finite number >= 0, got " + format_double(lambda));
  }
  if (loss == Loss::softmax_cross_entropy && layers.back().units < 2) {
    throw InputError("model: softmax_cross_entropy needs at least 2 outputs, the output layer has " +
                     std::to_string(layers.back().units) + " (for 2 classes on 1 output use sigmoid_cross_entropy)");
  }
  if (loss != Loss::mean_squared_error) {
    const std::string own = loss == Loss::softmax_cross_entropy ? "softmax" : "sigmoid";
    const std::string& kind = layers.back().activation.kind();
    if (kind != own && kind != "identity" && layers.back().activation.chosen()) {
      throw InputError("model: layer " + std::to_string(layers.size()) + " (the output layer) has activation '" + kind +
                       "', but " + to_string(loss) + " applies its own " + own +
                       " to the logits: give Activation::" + own + "() (folded into the loss) or Activation::identity()");
    }
  }
  if (labels == LabelLayout::class_index && loss != Loss::softmax_cross_entropy) {
    throw InputError("model: class-index labels need the softmax_cross_entropy loss, not " + to_string(loss));
  }
}

namespace {

// "relu" when every hidden layer has it, else "relu,tanh,..." layer by layer.
std::string hidden_activations(const std::vector<LayerSpec>& layers) {
  std::string all = layers[0].activation.kind();
  bool same = true;
  for (std::size_t l = 1; l + 1 < layers.size(); ++l) {
    all += "," + layers[l].activation.kind();
    same = same && layers[l].activation == layers[0].activation;
  }
  return same ? layers[0].activation.kind() : all;
}

}  // namespace

std::string ModelSpec::describe() const {
  std::ostringstream out;
  const auto d = dims();
  for (std::size_t i = 0; i < d.size(); ++i) out << (i ? "-" : "") << d[i];
  out << ", " << (layers.size() > 1 ? hidden_activations(layers) : "logistic");
  if (loss != Loss::sigmoid_cross_entropy) {
    out << ", " << to_string(loss);
    if (loss == Loss::mean_squared_error) out << " on " << layers.back().activation.kind();
    if (labels == LabelLayout::class_index) out << " (class indices)";
    if (loss == Loss::softmax_cross_entropy && layers.back().activation.kind() == "softmax") {
      out << " with the output softmax folded into the loss";
    }
  }
  out << ", " << to_string(init.kind);
  if (init.kind == InitKind::random) out << " x" << init.scale;
  if (init.kind != InitKind::zeros) out << " seed " << init.seed;
  if (lambda > 0.0) {
    out << ", L2 " << lambda;
    for (std::size_t i = 0; i < l2_parameters.size(); ++i) out << (i ? "," : " on ") << l2_parameters[i];
  }
  if (uses_dropout()) {
    out << ", dropout keep ";
    if (input_keep_prob < 1.0) out << input_keep_prob << " on X, ";
    out << (layers.size() > 1 ? layers[0].keep_prob : 1.0) << " ("
        << (dropout_masks == MaskPolicy::replay ? "replay" : "fresh") << ", seed " << dropout_seed << ")";
  }
  return out.str();
}

ModelSpec make_spec(const std::vector<std::size_t>& dims, const Initializer& init, double lambda,
                    double keep_prob) {
  if (dims.size() < 2) throw InputError("model: need an input size and at least one layer");
  if (keep_prob != 1.0 && dims.size() == 2) {
    throw InputError("model: keep_prob " + format_double(keep_prob) +
                     " is given but the model has no hidden layer to drop out of (dropout is not applied to the "
                     "output layer)");
  }
  ModelSpec spec;
  spec.inputs = dims[0];
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const bool output = l + 1 == dims.size();
    spec.layers.push_back({dims[l], output ? Activation::sigmoid() : Activation::relu(), output ? 1.0 : keep_prob});
  }
  spec.init = init;
  spec.lambda = lambda;
  return spec;
}

std::vector<std::size_t> parse_layer_sizes(const std::string& text) {
  if (text.empty()) throw InputError("layers: the list is empty (give sizes such as 20,3,1)");
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string field = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size()) {
      throw InputError("layers '" + text + "': '" + field + "' is not a whole number");
    }
    if (value == 0) throw InputError("layers '" + text + "': a layer has zero width");
    sizes.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return sizes;
}

Model::Model(const ModelSpec& spec) : spec_(spec) {
  spec_.validate();
  // An output layer left at its default takes the cross-entropy's own activation.
  if (spec_.loss != Loss::mean_squared_error && !spec_.layers.back().activation.chosen()) {
    spec_.layers.back().activation = Activation::identity();
  }
  const auto dims = spec_.dims();
  auto initial = initialize(dims, spec_.init);
  features_ = &graph_.input("X", spec_.inputs);
  labels_ = &graph_.input("Y", spec_.label_rows());
  RandomStream* masks =
      spec_.uses_dropout() ? &graph_.random_stream(spec_.dropout_seed, spec_.dropout_masks) : nullptr;
  Node* previous = features_;
  if (spec_.input_keep_prob < 1.0) {
    previous = &graph_.add<Dropout>("dropout0", *previous, spec_.input_keep_prob, *masks);
  }
  std::vector<Parameter*> every_W;
  for (std::size_t l = 0; l < spec_.layers.size(); ++l) {
    const std::string n = std::to_string(l + 1);
    const LayerSpec& layer = spec_.layers[l];
    Parameter& W = graph_.parameter("fc" + n + ".W", std::move(initial[l].first));
    Parameter& b = graph_.parameter("fc" + n + ".b", std::move(initial[l].second));
    every_W.push_back(&W);
    Node& z = graph_.add<Linear>("fc" + n, *previous, W, b);
    const bool output = l + 1 == spec_.layers.size();
    if (output && spec_.loss != Loss::mean_squared_error) {
      if (spec_.loss == Loss::sigmoid_cross_entropy) {
        auto& ce = graph_.add<SigmoidCrossEntropy>("cross_entropy", z, *labels_);
        predictions_ = &ce.probabilities();
        loss_term_ = &ce;
      } else {
        auto& ce = graph_.add<SoftmaxCrossEntropy>("cross_entropy", z, *labels_);
        predictions_ = &ce.probabilities();
        loss_term_ = &ce;
      }
      break;
    }
    Node* a = &layer.activation.build(graph_, layer.activation.kind() + n, z);
    if (a->rows() != z.rows()) {
      throw InputError("model: layer " + n + ": activation '" + a->name() + "' has " + std::to_string(a->rows()) +
                       " rows but the layer has " + std::to_string(z.rows()) + " units");
    }
    if (output) {
      predictions_ = &a->value();
      loss_term_ = &graph_.add<MeanSquaredError>("mse", *a, *labels_);
      break;
    }
    if (layer.keep_prob < 1.0) a = &graph_.add<Dropout>("dropout" + n, *a, layer.keep_prob, *masks);
    previous = a;
  }
  if (spec_.l2_parameters.empty()) {
    weights_ = every_W;
  } else {
    for (const std::string& name : spec_.l2_parameters) {
      Parameter* p = graph_.find_parameter(name);
      if (p == nullptr) {
        std::string known;
        for (const Parameter* q : graph_.parameters()) known += (known.empty() ? "" : ", ") + q->name;
        throw InputError("model: L2 on '" + name + "': no such parameter (the model has " + known + ")");
      }
      weights_.push_back(p);
    }
  }
  if (spec_.lambda > 0.0) {
    Node& l2 = graph_.add<L2Penalty>("l2", weights_, spec_.lambda);
    graph_.set_loss(graph_.add<Add>("cost", std::vector<Node*>{loss_term_, &l2}));
  } else {
    graph_.set_loss(*loss_term_);
  }
}

const SigmoidCrossEntropy& Model::output() const {
  const auto* ce = dynamic_cast<const SigmoidCrossEntropy*>(loss_term_);
  if (ce == nullptr) {
    throw InputError("model: output() is the sigmoid cross-entropy, but this model's loss is " + to_string(spec_.loss) +
                     " (use predictions())");
  }
  return *ce;
}

void Model::feed(const Matrix& X, const Matrix& Y) {
  if (X.shape(0) != spec_.inputs) {
    throw InputError("model: X has " + std::to_string(X.shape(0)) + " rows (features) but the model takes " +
                     std::to_string(spec_.inputs));
  }
  if (Y.shape(0) != labels_->rows() || Y.shape(1) != X.shape(1)) {
    throw InputError("model: Y is " + shape_string(Y) + " but X is " + shape_string(X) + " (Y must be " +
                     shape_string(labels_->rows(), X.shape(1)) + ")");
  }
  require_examples(X, "model");
  graph_.feed(*features_, X);
  graph_.feed(*labels_, Y);
}

void Model::validate_data(const Dataset& data, const std::string& source) const {
  if (spec_.label_rows() == 1) {
    validate_dataset(data, source, spec_.label_rule());
    return;
  }
  const Matrix& X = data.X;
  const Matrix& Y = data.Y;
  require_examples(X, source);
  if (X.shape(0) == 0) throw InputError(source + ": no features (X is " + shape_string(X) + ")");
  if (Y.shape(0) != spec_.label_rows() || Y.shape(1) != X.shape(1)) {
    throw InputError(source + ": Y is " + shape_string(Y) + " but X is " + shape_string(X) + " (Y must be " +
                     shape_string(spec_.label_rows(), X.shape(1)) + ")");
  }
  for (const auto& [matrix, letter] : {std::pair<const Matrix*, const char*>{&X, "X"}, {&Y, "Y"}}) {
    if (const auto bad = first_non_finite(*matrix)) {
      throw InputError(source + ": " + letter + "(" + std::to_string(bad->row) + ", " + std::to_string(bad->col) +
                       ") = " + format_double(bad->value));
    }
  }
  const LabelRule rule = entry_rule(spec_);
  for (std::size_t j = 0; j < Y.shape(1); ++j) {
    double ones = 0.0;
    for (std::size_t i = 0; i < Y.shape(0); ++i) {
      const double y = Y(i, j);
      if (!rule.accepts(y)) {
        throw InputError(source + ": label Y(" + std::to_string(i) + ", " + std::to_string(j) + ") = " +
                         format_double(y) + " is not " + rule.requirement() + " (example " + std::to_string(j) + ")");
      }
      ones += y;
    }
    if (spec_.loss == Loss::softmax_cross_entropy && spec_.labels == LabelLayout::one_row_per_output && ones != 1.0) {
      throw InputError(source + ": column " + std::to_string(j) + " of Y is not one-hot (it has " +
                       format_double(ones) + " ones)");
    }
  }
}

}  // namespace xgrad
