// The Model flags shared by train and gradcheck: --layers, --init, --init-seed,
// --init-scale, --lambd, --keep-prob, --dropout-masks, --dropout-seed.
#pragma once

#include <cstddef>

#include "args.hpp"
#include <xgrad/train/model.hpp>

namespace xgrad::cli {

FlagGroup model_flags();

// The spec the flags describe, for data with `inputs` features (the input width always comes
// from the data). Defaults: the notes' He network, layers 10,5,1, seed 3.
// Throws InputError naming the flag: a bad layer list, an unknown initializer or mask policy,
// --init-scale without --init random, --keep-prob < 1 without a hidden layer, values out of
// range (Args' getters).
ModelSpec read_model_spec(const Args& args, std::size_t inputs);

}  // namespace xgrad::cli
