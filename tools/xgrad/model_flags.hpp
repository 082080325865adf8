// The Model flags shared by train and gradcheck: --layers (sizes with per-layer
// activations), --loss, --init, --init-seed, --init-scale, --lambd, --keep-prob,
// --input-keep-prob, --dropout-masks, --dropout-seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "layer_list.hpp"
#include <xgrad/core/dataset.hpp>
#include <xgrad/train/model.hpp>

namespace xgrad::cli {

// The flags' values; the defaults are the notes' He network (layers 10,5,1, seed 3).
struct ModelFlags {
  // Hidden and output layers; the input width comes from the data. Hidden layers without an
  // activation are ReLU; the output layer's activation is read by mean_squared_error only
  // (identity unless given), the cross-entropies apply their own sigmoid / softmax.
  std::vector<LayerFlag> layers{{10, {}}, {5, {}}, {1, {}}};
  std::string layers_text;  // --layers as given; empty: the default
  Loss loss = Loss::sigmoid_cross_entropy;
  Initializer init{InitKind::he, 3, 10.0};
  double lambda = 0.0;
  double keep_prob = 1.0;
  double input_keep_prob = 1.0;
  // The CLI reproduces the course, which reseeds before every pass: replayed masks, whatever
  // the library's default is.
  MaskPolicy dropout_masks = MaskPolicy::replay;
  std::uint64_t dropout_seed = 1;

  // Declares the flags, in group "Model" of `command`, bound to the fields above (`this`
  // must outlive the parse).
  void declare(CLI::App& command);

  // What the data's one row of labels must be for the flags' loss and output layer: 0/1
  // (sigmoid cross-entropy), class indices 0..k-1 with k the output units (softmax), any
  // finite target (mean squared error). Throws InputError naming the flag: softmax on one
  // output unit; sigmoid cross-entropy or mean squared error on more than one (a data
  // file's labels are one row); an output activation with a cross-entropy loss.
  LabelRule label_rule() const;

  // The spec the flags describe for data with `inputs` features.
  // Throws InputError naming the flag: label_rule()'s, --init-scale without --init random,
  // --keep-prob < 1 without a hidden layer, a spec that ModelSpec::validate refuses.
  ModelSpec spec(std::size_t inputs) const;

 private:
  CLI::Option* init_scale_flag_ = nullptr;
};

}  // namespace xgrad::cli
