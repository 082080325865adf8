#include "model_flags.hpp"

#include <xgrad/core/error.hpp>

namespace xgrad::cli {

FlagGroup model_flags() {
  return {"Model",
          {
              {"--layers", "SIZES", "Hidden and output layer sizes, comma-separated (default 10,5,1); the input size comes from the data. Hidden layers are ReLU, the output layer is a sigmoid with cross-entropy."},
              {"--init", "KIND", "Weight initialization: zeros, random (randn x --init-scale), he (randn x sqrt(2/n_prev)) or xavier (randn / sqrt(n_prev)). Default he."},
              {"--init-seed", "K", "Seed of the initialization draws (default 3, the notes' np.random.seed(3))."},
              {"--init-scale", "S", "Scale of --init random (default 10, as in the notes)."},
              {"--lambd", "L", "L2 regularization strength lambda (default 0: none)."},
              {"--keep-prob", "P", "Dropout keep probability after every hidden layer, in (0, 1] (default 1: no dropout)."},
              {"--dropout-masks", "POLICY", "replay: the same masks every step, as the notes reseed before each pass (default); fresh: new masks every step."},
              {"--dropout-seed", "K", "Seed of the dropout masks (default 1)."},
          }};
}

ModelSpec read_model_spec(const Args& args, std::size_t inputs) {
  std::vector<std::size_t> dims{inputs};
  try {
    for (std::size_t units : parse_layer_sizes(args.text("--layers", "10,5,1"))) dims.push_back(units);
  } catch (const InputError& e) {
    const std::string message = e.what();  // "layers '...': ..." or "layers: ..."
    throw InputError(message.starts_with("layers") ? "--" + message : "--layers: " + message);
  }
  Initializer init;
  init.kind = parse_init_kind(args.choice("--init", "he", {"zeros", "random", "he", "xavier"}));
  init.seed = args.seed("--init-seed", 3);
  if (init.kind != InitKind::random) args.forbid("--init-scale", "applies to --init random only");
  init.scale = args.positive("--init-scale", 10.0);
  const double lambda = args.non_negative("--lambd", 0.0);
  const double keep_prob = args.fraction("--keep-prob", 1.0);
  if (keep_prob < 1.0 && dims.size() < 3) {
    throw InputError("--keep-prob: dropout needs a hidden layer, but --layers gives only the output layer");
  }
  ModelSpec spec = make_spec(dims, init, lambda, keep_prob);
  spec.dropout_masks = args.choice("--dropout-masks", "replay", {"replay", "fresh"}) == "fresh" ? MaskPolicy::fresh
                                                                                                  : MaskPolicy::replay;
  spec.dropout_seed = args.seed("--dropout-seed", 1);
  spec.validate();
  return spec;
}

}  // namespace xgrad::cli
