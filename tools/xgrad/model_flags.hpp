// The Model flags shared by train and gradcheck: --layers, --init, --init-seed,
// --init-scale, --lambd, --keep-prob, --dropout-masks, --dropout-seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <CLI/CLI.hpp>

#include <xgrad/train/model.hpp>

namespace xgrad::cli {

// The flags' values; the defaults are the notes' He network (layers 10,5,1, seed 3).
struct ModelFlags {
  std::vector<std::size_t> layers{10, 5, 1};  // hidden and output layers; the input width comes from the data
  Initializer init{InitKind::he, 3, 10.0};
  double lambda = 0.0;
  double keep_prob = 1.0;
  // The CLI reproduces the course, which reseeds before every pass: replayed masks, whatever
  // the library's default is.
  MaskPolicy dropout_masks = MaskPolicy::replay;
  std::uint64_t dropout_seed = 1;

  // Declares the flags, in group "Model" of `command`, bound to the fields above (`this`
  // must outlive the parse).
  void declare(CLI::App& command);

  // The spec the flags describe for data with `inputs` features.
  // Throws InputError naming the flag: --init-scale without --init random, --keep-prob < 1
  // without a hidden layer, a spec that ModelSpec::validate refuses.
  ModelSpec spec(std::size_t inputs) const;

 private:
  CLI::Option* init_scale_flag_ = nullptr;
};

}  // namespace xgrad::cli
