/// @file
/// Input: a placeholder whose value the user feeds (data X, labels Y). Part of the graph
/// (Graph::input creates it, and a tiled pass loads its columns), not a computing node.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <utility>

#include <xgrad/core/node.hpp>

namespace xgrad {

/// A placeholder whose value the user feeds (data X, labels Y); created by Graph::input.
class Input final : public Node {
 public:
  /// A placeholder of `rows` rows (features or label rows).
  Input(std::string name, std::size_t rows);
  std::string_view kind() const override { return "input"; }

  /// Copies data into value(). Requires data.shape(0) == rows() and data.shape(1) == batch()
  /// (resize first; Graph::feed does both). Throws InputError naming the shapes.
  void feed(const Matrix& data);

  /// For Graph's column tiles: exchanges value() with `other` (no copy, no allocation).
  void swap_value(Matrix& other) { std::swap(value_, other); }
  /// Copies columns [first, first + batch()) of `whole` into value(). Requires whole to have
  /// rows() rows and at least first + batch() columns (InputError naming the shapes).
  void load_columns(const Matrix& whole, std::size_t first);

  void forward(Mode) override {}
  void backward() override {}
};

}  // namespace xgrad
