#include <xgrad/train/minibatch.hpp>

#include <numeric>
#include <span>

#include <xgrad/core/error.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad {

MiniBatches::MiniBatches(const Dataset& data, std::size_t mini_batch_size, std::uint64_t shuffle_seed)
    : data_(data), mini_batch_size_(mini_batch_size), shuffle_seed_(shuffle_seed) {
  if (mini_batch_size == 0) throw InputError("mini-batch size must be at least 1");
  const std::size_t m = data.X.shape(1);
  require_examples(data.X, "mini-batches");
  if (data.Y.shape(1) != m) {
    throw InputError("mini-batches: X is " + shape_string(data.X) + " but Y is " + shape_string(data.Y));
  }
  mini_batch_size_ = std::min(mini_batch_size_, m);
  order_.resize(m);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  full_.X = Matrix({data.X.shape(0), mini_batch_size_});
  full_.Y = Matrix({data.Y.shape(0), mini_batch_size_});
  if (const std::size_t rest = m % mini_batch_size_; rest > 0) {
    last_.X = Matrix({data.X.shape(0), rest});
    last_.Y = Matrix({data.Y.shape(0), rest});
  }
}

void MiniBatches::shuffle(std::size_t epoch) {
  constexpr std::uint64_t max_seed = 0xFFFFFFFFu;
  if (shuffle_seed_ > max_seed || epoch > max_seed - shuffle_seed_) {
    throw InputError("mini-batches: shuffle seed " + std::to_string(shuffle_seed_) + " + epoch " +
                     std::to_string(epoch) + " is past numpy's largest seed 2^32 - 1");
  }
  // permutation(m) = shuffle(arange(m)), done in place on the buffer.
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  RandomState rng(shuffle_seed_ + epoch);
  rng.shuffle(std::span<std::size_t>(order_));
}

std::size_t MiniBatches::count() const { return (order_.size() + mini_batch_size_ - 1) / mini_batch_size_; }

std::size_t MiniBatches::size(std::size_t b) const {
  return std::min(mini_batch_size_, order_.size() - b * mini_batch_size_);
}

const Dataset& MiniBatches::batch(std::size_t b) {
  if (b >= count()) {
    throw InputError("mini-batches: batch " + std::to_string(b) + " of " + std::to_string(count()) + " requested");
  }
  Dataset& out = size(b) == mini_batch_size_ ? full_ : last_;
  const std::size_t first = b * mini_batch_size_;
  for (const auto& [from, to] : {std::pair<const Matrix*, Matrix*>{&data_.X, &out.X}, {&data_.Y, &out.Y}}) {
    const std::size_t cols = to->shape(1);
    for (std::size_t i = 0; i < to->shape(0); ++i) {
      for (std::size_t j = 0; j < cols; ++j) (*to)(i, j) = (*from)(i, order_[first + j]);
    }
  }
  return out;
}

}  // namespace xgrad
