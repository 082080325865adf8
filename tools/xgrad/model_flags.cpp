#include "model_flags.hpp"

#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/train/activation.hpp>

namespace xgrad::cli {

namespace {

// The built-in activations for --layers' help, from the one table: "relu (the hidden
// layers' default), sigmoid, ..., leaky_relu (slope 0.01), leaky_relu=SLOPE, ... or identity".
std::string activation_choices() {
  std::vector<std::string> choices;
  for (const BuiltinActivation& b : builtin_activations()) {
    choices.push_back(std::string(b.kind) + (b.help.empty() ? "" : " (" + std::string(b.help) + ")"));
    if (!b.setting.empty()) choices.push_back(b.setting_form());
  }
  std::string text;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
    text += choices[i];
  }
  return text;
}

}  // namespace

void ModelFlags::declare(CLI::App& command) {
  const std::string group = "Model";
  command
      .add_option_function<std::string>(
          "--layers",
          [this](const std::string& text) {
            layers = parse_layer_list(text);
            layers_text = text;
          },
          "Hidden and output layers, comma-separated, each UNITS[:ACTIVATION] (default 10,5,1); the input size comes "
          "from the data. ACTIVATION: " + activation_choices() + ", e.g. 20:tanh,3:leaky_relu=0.05,1. The output layer's activation "
          "applies to --loss mean_squared_error only (identity by default): the cross-entropies apply their own "
          "sigmoid or softmax (giving that one is accepted: it is folded into the loss).")
      ->type_name("LAYERS")
      ->check(checked_by([](const std::string& text) { parse_layer_list(text); }))
      ->group(group);
  command
      .add_option("--loss", loss,
                  "Output loss: sigmoid_cross_entropy (alias sigmoid; 0/1 labels, 1 output unit; the default), "
                  "softmax_cross_entropy (alias softmax; class labels 0..k-1 on k >= 2 output units) or "
                  "mean_squared_error (alias mse; any finite targets, 1 output unit).")
      ->type_name("LOSS")
      ->transform(enum_named<Loss>({{"sigmoid_cross_entropy", Loss::sigmoid_cross_entropy},
                                    {"softmax_cross_entropy", Loss::softmax_cross_entropy},
                                    {"mean_squared_error", Loss::mean_squared_error},
                                    {"sigmoid", Loss::sigmoid_cross_entropy},
                                    {"softmax", Loss::softmax_cross_entropy},
                                    {"mse", Loss::mean_squared_error}}))
      ->group(group);
  command
      .add_option("--init", init.kind,
                  "Weight initialization: zeros, random (randn x --init-scale), he (randn x sqrt(2/n_prev)) or xavier "
                  "(randn / sqrt(n_prev)). Default he.")
      ->type_name("KIND")
      ->transform(enum_named<InitKind>({{"zeros", InitKind::zeros},
                                        {"random", InitKind::random},
                                        {"he", InitKind::he},
                                        {"xavier", InitKind::xavier}}))
      ->group(group);
  command.add_option("--init-seed", init.seed, "Seed of the initialization draws (default 3, the notes' np.random.seed(3)).")
      ->type_name("K")
      ->check(seed_number())
      ->group(group);
  init_scale_flag_ = command.add_option("--init-scale", init.scale, "Scale of --init random (default 10, as in the notes).")
                         ->type_name("S")
                         ->check(positive_number())
                         ->group(group);
  command.add_option("--lambd", lambda, "L2 regularization strength lambda (default 0: none).")
      ->type_name("L")
      ->check(non_negative_number())
      ->group(group);
  command
      .add_option("--keep-prob", keep_prob,
                  "Dropout keep probability after every hidden layer, in (0, 1] (default 1: no dropout).")
      ->type_name("P")
      ->check(fraction())
      ->group(group);
  command
      .add_option("--input-keep-prob", input_keep_prob,
                  "Dropout keep probability on the inputs X, in (0, 1] (default 1: no dropout).")
      ->type_name("P")
      ->check(fraction())
      ->group(group);
  command
      .add_option("--dropout-masks", dropout_masks,
                  "replay: the same masks every step, as the notes reseed before each pass (default); fresh: new "
                  "masks every step.")
      ->type_name("POLICY")
      ->transform(enum_named<MaskPolicy>({{"replay", MaskPolicy::replay}, {"fresh", MaskPolicy::fresh}}))
      ->group(group);
  command.add_option("--dropout-seed", dropout_seed, "Seed of the dropout masks (default 1).")
      ->type_name("K")
      ->check(seed_number())
      ->group(group);
}

LabelRule ModelFlags::label_rule() const {
  const std::size_t outputs = layers.back().units;
  const std::string loss_name = to_string(loss);
  if (loss == Loss::softmax_cross_entropy) {
    if (outputs < 2) {
      throw InputError("--loss softmax_cross_entropy needs an output unit per class (at least 2), but --layers ends "
                       "in 1 unit (for 2 classes on 1 unit use --loss sigmoid_cross_entropy)");
    }
  } else if (outputs != 1) {
    throw InputError("--layers: the output layer has " + std::to_string(outputs) + " units, but --loss " + loss_name +
                     " reads a data set's one row of " +
                     (loss == Loss::mean_squared_error ? "targets" : "0/1 labels") + " and needs 1" +
                     (loss == Loss::sigmoid_cross_entropy ? " (for " + std::to_string(outputs) +
                                                                " classes use --loss softmax_cross_entropy)"
                                                          : std::string()));
  }
  const std::string own = loss == Loss::softmax_cross_entropy ? "softmax" : "sigmoid";
  if (loss != Loss::mean_squared_error && layers.back().activation && layers.back().activation->kind() != own &&
      layers.back().activation->kind() != "identity") {
    throw InputError("--layers: the output layer's activation '" + layers.back().activation->kind() +
                     "' applies to --loss mean_squared_error only; --loss " + loss_name + " applies its own " + own +
                     " (give " + own + ", which is folded into the loss, or nothing)");
  }
  ModelSpec output_only;  // the loss and the output layer decide the rule
  output_only.layers = {LayerSpec{outputs, Activation::identity()}};
  output_only.loss = loss;
  output_only.labels = loss == Loss::softmax_cross_entropy ? LabelLayout::class_index : LabelLayout::one_row_per_output;
  return output_only.label_rule();
}

ModelSpec ModelFlags::spec(std::size_t inputs) const {
  label_rule();  // the loss and the output layer agree
  if (init_scale_flag_ != nullptr && init_scale_flag_->count() > 0 && init.kind != InitKind::random) {
    throw InputError("--init-scale applies to --init random only");
  }
  if (keep_prob < 1.0 && layers.size() < 2) {
    throw InputError("--keep-prob: dropout needs a hidden layer, but --layers gives only the output layer");
  }
  std::vector<std::size_t> dims{inputs};
  for (const LayerFlag& layer : layers) dims.push_back(layer.units);
  ModelSpec spec = make_spec(dims, init, lambda, keep_prob);
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    if (layers[l].activation) spec.layers[l].activation = *layers[l].activation;
  }
  // The output layer's node: read by mean squared error; for the cross-entropies the record
  // of what they apply.
  spec.layers.back().activation = loss == Loss::mean_squared_error ? layers.back().activation.value_or(Activation::identity())
                                  : loss == Loss::softmax_cross_entropy ? Activation::softmax()
                                                                        : Activation::sigmoid();
  spec.loss = loss;
  if (loss == Loss::softmax_cross_entropy) spec.labels = LabelLayout::class_index;
  spec.input_keep_prob = input_keep_prob;
  spec.dropout_masks = dropout_masks;
  spec.dropout_seed = dropout_seed;
  spec.validate();
  return spec;
}

}  // namespace xgrad::cli
