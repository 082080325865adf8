/// @file
/// Dropout (inverted): in train mode value = (D * x) / keep_prob with the mask
/// D = (rand(rows, batch) < keep_prob), drawn in C order from a RandomStream, exactly as the
/// course's numpy code draws it. In eval mode value = x.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>
#include <xgrad/core/random_stream.hpp>

namespace xgrad {

/// Inverted dropout with masks drawn from a RandomStream, as the file describes.
class Dropout final : public Node {
 public:
  /// Requires 0 < keep_prob <= 1 (InputError naming the value otherwise).
  Dropout(std::string name, Node& input, double keep_prob, RandomStream& stream);
  std::string_view kind() const override { return "dropout"; }

  void resize(std::size_t batch) override;
  void forward(Mode mode) override;
  /// dx += (g * D) / keep_prob after a train-mode forward, dx += g after an eval one.
  void backward() override;
  RandomStream* random_stream() const override { return &stream_; }

  /// The probability that an entry is kept.
  double keep_prob() const { return keep_prob_; }
  /// Replays a recorded mask (shape (rows, batch), entries 0 or 1; InputError otherwise):
  /// backward() then uses it as if a train-mode forward had drawn it.
  void set_mask(const Matrix& mask);

  /// The last train-mode mask, 1.0 (kept) or 0.0 (dropped), shape (rows, batch).
  const Matrix& mask() const { return mask_; }

 private:
  double keep_prob_;
  RandomStream& stream_;
  Matrix mask_;
  Matrix spare_mask_;
  Mode last_mode_ = Mode::eval;
};

}  // namespace xgrad
