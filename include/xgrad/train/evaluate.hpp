/// @file
/// Evaluating a Model on a data set without touching its training state: a forward-only
/// pass, in eval mode (no dropout), over column tiles, on a graph of its own built from the
/// model's spec that reads the model's current parameter values. The model's graph, its fed
/// data, its buffers, its random streams and its parameters are left exactly as they were, so
/// these may be called at any point of training (from a callback, between Trainer::run calls)
/// and training goes on with the same bits as without the calls.
///
/// Memory: the data, the result (predictions are outputs x m), a copy of the parameters and
/// one tile of activations (Graph::tile_columns() columns of the evaluation graph), at any m.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <optional>
#include <string>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/tensor.hpp>
#include <xgrad/train/model.hpp>

namespace xgrad {

/// What evaluate measures on a data set.
struct Evaluation {
  /// The cost the model trains on, over the whole data set: the loss's mean over the m
  /// examples plus the L2 term lambda / (2m) * sum of squares when lambda > 0 (the tiles'
  /// shares of the mean are added in tile order, as Graph's tiled pass adds them).
  double cost = 0.0;
  /// Cross-entropy losses: the fraction of examples classified right (sigmoid: every output
  /// entry thresholded at 0.5 against its 0/1 label, counted per entry; softmax: the column's
  /// largest probability against the class index or the one-hot column). None for mean
  /// squared error, whose outputs are not classes.
  std::optional<double> accuracy;
  std::size_t examples = 0;  ///< m, the number of examples evaluated
};

/// Requires data that suits the model (Model::validate_data with source `source`: InputError
/// naming the problem). Changes nothing in `model`.
Evaluation evaluate(const Model& model, const Dataset& data, const std::string& source = "evaluate");

/// evaluate(model, data).cost.
double cost(const Model& model, const Dataset& data);

/// Model::predictions() of every column of X, in eval mode, shape (outputs, m): sigmoid or
/// softmax probabilities, or the output activation's value (mean squared error). Throws
/// InputError when X has another row count than the model's inputs, no columns, or a NaN/inf
/// entry (named). Changes nothing in `model`.
Matrix evaluate_probabilities(const Model& model, const Matrix& X);

}  // namespace xgrad
