#include <xgrad/train/model.hpp>

#include <charconv>
#include <cmath>
#include <sstream>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/nodes/all.hpp>

namespace xgrad {

std::string to_string(Activation activation) {
  return activation == Activation::relu ? "relu" : "sigmoid";
}

std::vector<std::size_t> ModelSpec::dims() const {
  std::vector<std::size_t> d{inputs};
  for (const LayerSpec& l : layers) d.push_back(l.units);
  return d;
}

bool ModelSpec::uses_dropout() const {
  for (const LayerSpec& l : layers) {
    if (l.keep_prob < 1.0) return true;
  }
  return false;
}

void ModelSpec::validate() const {
  if (layers.empty()) throw InputError("model: the layer list is empty (give at least an output layer)");
  if (inputs == 0) throw InputError("model: the input width is zero");
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
}

std::string ModelSpec::describe() const {
  std::ostringstream out;
  const auto d = dims();
  for (std::size_t i = 0; i < d.size(); ++i) out << (i ? "-" : "") << d[i];
  out << ", " << (layers.size() > 1 ? to_string(layers[0].activation) : "logistic") << ", "
      << to_string(init.kind);
  if (init.kind == InitKind::random) out << " x" << init.scale;
  if (init.kind != InitKind::zeros) out << " seed " << init.seed;
  if (lambda > 0.0) out << ", L2 " << lambda;
  if (uses_dropout()) {
    out << ", dropout keep " << layers[0].keep_prob << " ("
        << (dropout_masks == MaskPolicy::replay ? "replay" : "fresh") << ", seed " << dropout_seed
        << ")";
  }
  return out.str();
}

ModelSpec make_spec(const std::vector<std::size_t>& dims, const Initializer& init, double lambda,
                    double keep_prob) {
  if (dims.size() < 2) throw InputError("model: need an input size and at least one layer");
  ModelSpec spec;
  spec.inputs = dims[0];
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const bool output = l + 1 == dims.size();
    spec.layers.push_back({dims[l], output ? Activation::sigmoid : Activation::relu,
                           output ? 1.0 : keep_prob});
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
  const auto dims = spec_.dims();
  auto initial = initialize(dims, spec_.init);
  features_ = &graph_.input("X", spec_.inputs);
  labels_ = &graph_.input("Y", dims.back());
  RandomStream* masks =
      spec_.uses_dropout() ? &graph_.random_stream(spec_.dropout_seed, spec_.dropout_masks) : nullptr;
  Node* previous = features_;
  for (std::size_t l = 0; l < spec_.layers.size(); ++l) {
    const std::string n = std::to_string(l + 1);
    Parameter& W = graph_.parameter("fc" + n + ".W", std::move(initial[l].first));
    Parameter& b = graph_.parameter("fc" + n + ".b", std::move(initial[l].second));
    weights_.push_back(&W);
    Node& z = graph_.add<Linear>("fc" + n, *previous, W, b);
    if (l + 1 == spec_.layers.size()) {
      output_ = &graph_.add<SigmoidCrossEntropy>("cross_entropy", z, *labels_);
      break;
    }
    const LayerSpec& layer = spec_.layers[l];
    Node* a = layer.activation == Activation::relu
                  ? static_cast<Node*>(&graph_.add<Relu>("relu" + n, z))
                  : static_cast<Node*>(&graph_.add<Sigmoid>("sigmoid" + n, z));
    if (layer.keep_prob < 1.0) a = &graph_.add<Dropout>("dropout" + n, *a, layer.keep_prob, *masks);
    previous = a;
  }
  if (spec_.lambda > 0.0) {
    Node& l2 = graph_.add<L2Penalty>("l2", weights_, spec_.lambda);
    graph_.set_loss(graph_.add<Add>("cost", std::vector<Node*>{output_, &l2}));
  } else {
    graph_.set_loss(*output_);
  }
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
  if (X.shape(1) == 0) throw InputError("model: no examples (X has zero columns)");
  graph_.feed(*features_, X);
  labels_->feed(Y);
}

}  // namespace xgrad
