#include "model_flags.hpp"

#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>

namespace xgrad::cli {

void ModelFlags::declare(CLI::App& command) {
  const std::string group = "Model";
  command
      .add_option_function<std::string>(
          "--layers", [this](const std::string& sizes) { layers = parse_layer_sizes(sizes); },
          "Hidden and output layer sizes, comma-separated (default 10,5,1); the input size comes from the data. Hidden "
          "layers are ReLU, the output layer is a sigmoid with cross-entropy.")
      ->type_name("SIZES")
      ->check(layer_sizes())
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

ModelSpec ModelFlags::spec(std::size_t inputs) const {
  if (init_scale_flag_ != nullptr && init_scale_flag_->count() > 0 && init.kind != InitKind::random) {
    throw InputError("--init-scale applies to --init random only");
  }
  if (keep_prob < 1.0 && layers.size() < 2) {
    throw InputError("--keep-prob: dropout needs a hidden layer, but --layers gives only the output layer");
  }
  std::vector<std::size_t> dims{inputs};
  dims.insert(dims.end(), layers.begin(), layers.end());
  ModelSpec spec = make_spec(dims, init, lambda, keep_prob);
  spec.dropout_masks = dropout_masks;
  spec.dropout_seed = dropout_seed;
  spec.validate();
  return spec;
}

}  // namespace xgrad::cli
