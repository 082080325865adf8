/// @file
/// Weight initializers, drawing from a RandomState layer by layer in numpy's order
/// (W1 = randn(n1, n0) ..., biases zero: they draw nothing).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// How a model's weights are drawn (biases start at zero).
enum class InitKind {
  zeros,   ///< W = 0 (the notes' initialize_parameters_zeros)
  random,  ///< W = randn * scale (the notes' initialize_parameters_random, scale 10)
  he,      ///< W = randn * sqrt(2 / n_prev) (initialize_parameters_he)
  xavier,  ///< W = randn / sqrt(n_prev) (the regularization notes' initialize_parameters)
};

/// An initializer: its kind, seed and (random only) scale.
struct Initializer {
  InitKind kind = InitKind::he;  ///< how the weights are drawn
  std::uint64_t seed = 3;  ///< np.random.seed(3) in the notes
  double scale = 10.0;     ///< used by InitKind::random only
};

/// "zeros", "random", "he", "xavier"; parse_init_kind throws InputError listing the choices.
std::string to_string(InitKind kind);
/// The kind named `name`.
InitKind parse_init_kind(const std::string& name);

/// (W_l, b_l) for l = 1 .. dims.size() - 1, W_l of shape (dims[l], dims[l-1]), b_l (dims[l], 1).
/// Requires at least two sizes, none zero, and a finite scale (InputError otherwise).
std::vector<std::pair<Matrix, Matrix>> initialize(const std::vector<std::size_t>& dims,
                                                  const Initializer& init);

}  // namespace xgrad
