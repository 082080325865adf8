/// @file
/// RandomState: numpy's legacy np.random.RandomState, bit for bit.
///
/// The engine is std::mt19937: seeding it with one 32-bit value is MT19937's init_genrand,
/// exactly what numpy's seed(k) does, and its outputs are the same 32-bit words. The
/// distributions are written here on purpose: xtensor's xt::random and the std::
/// distributions use other algorithms (xtensor #2557), and the course's figures depend on
/// numpy's exact stream: 53-bit doubles from two 32-bit words, the polar Box-Muller method
/// that keeps its spare value, and masked-rejection bounded integers. Matrix-shaped draws
/// fill in C (row-major) order, like numpy.
///
/// There is no global generator: every consumer (initialization, data, dropout) is handed
/// its own RandomState. Copying a RandomState copies its whole state (a snapshot).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// numpy's legacy np.random.RandomState (MT19937), draw for draw and bit for bit: the same
/// seed gives the same numbers as numpy, in the same order.
class RandomState {
 public:
  /// Same as np.random.RandomState(seed). Requires 0 <= seed <= 2^32 - 1 (InputError else).
  explicit RandomState(std::uint64_t seed = 0);

  /// np.random.seed(seed): MT19937 init_genrand; forgets any spare Gaussian value.
  /// Requires 0 <= seed <= 2^32 - 1 (InputError else, and the state is left as it was).
  void seed(std::uint64_t seed);

  /// The next 32-bit word of the MT19937 stream (numpy's random_uint32 / randint's source).
  std::uint32_t next_uint32();
  /// random_sample(): a double in [0, 1) with 53 random bits.
  double random_sample();
  /// standard_normal() / randn(): polar Box-Muller; every other call returns the spare.
  double standard_normal();
  /// normal(loc, scale) = loc + scale * standard_normal().
  double normal(double loc, double scale);
  /// uniform(low, high) = low + (high - low) * random_sample().
  double uniform(double low, double high);
  /// A uniform integer in [0, max] by masked rejection (numpy's random_interval).
  std::uint64_t random_interval(std::uint64_t max);

  /// Shapes (rows, cols), filled in C order: rand(r, c), randn(r, c), normal(loc, scale, r, c).
  Matrix rand(std::size_t rows, std::size_t cols);
  /// randn(rows, cols): standard normal values.
  Matrix randn(std::size_t rows, std::size_t cols);
  /// normal(loc, scale, size=(rows, cols)).
  Matrix normal(double loc, double scale, std::size_t rows, std::size_t cols);
  /// uniform(low, high, size=(rows, cols)).
  Matrix uniform(double low, double high, std::size_t rows, std::size_t cols);
  /// In-place forms that allocate nothing (used on the training hot path).
  void fill_rand(Matrix& out);
  /// randn into `out`, in C order.
  void fill_randn(Matrix& out);

  /// np.random.shuffle on a 1-D sequence: Fisher-Yates from the back, j = random_interval(i).
  template <class T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(random_interval(i - 1));
      std::swap(items[i - 1], items[j]);
    }
  }
  /// np.random.permutation(n): shuffle of 0, 1, ..., n-1.
  std::vector<std::size_t> permutation(std::size_t n);

  /// The whole state as numbers, for a checkpoint: MT19937's 624 words and its position (as
  /// std::mt19937 writes them), then 1 or 0 (a spare Gaussian value is kept) and that value.
  /// Every number is a double exactly (the words are below 2^32).
  std::vector<double> state_numbers() const;
  /// The generator state_numbers() describes. Throws InputError naming the problem when
  /// `numbers` is not such a list (count, a word out of range or not whole, the position).
  static RandomState from_state_numbers(std::span<const double> numbers);

 private:
  std::mt19937 engine_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace xgrad
