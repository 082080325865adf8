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
#include <vector>

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

/// What evaluate adds up, over the columns one process holds of a data set that processes
/// share (a data-parallel validation; TrainingPasses::evaluate).
struct EvaluationParts {
  std::vector<double> loss_shares;  ///< each tile's share of the loss's mean over the whole set, in column order
  double l2_term = 0.0;             ///< lambda / (2 m) * sum of squares (0 without L2)
  std::size_t right = 0;            ///< entries (sigmoid) or columns (softmax) classified right
  std::size_t counted = 0;          ///< entries or columns counted for the accuracy
};

/// The column width of the tiles evaluate's pass runs for `model` (its evaluation graph's
/// Graph::tile_columns()).
std::size_t evaluation_tile_columns(const Model& model);

/// evaluate's parts on `data`, the columns one process holds of a set of `examples` columns
/// (the means divide by `examples`). When every process holds a run of whole tiles of
/// evaluation_tile_columns(model) columns starting on a tile boundary
/// (parallel::column_share), combine_evaluation of every process's parts in column order is
/// evaluate() of the whole set, bit for bit. `data` may have no columns (no parts then).
/// Requires data that suits the model (InputError as evaluate, with `source`) and
/// examples >= data's columns (InputError). Changes nothing in `model`.
EvaluationParts evaluate_parts(const Model& model, const Dataset& data, std::size_t examples,
                               const std::string& source = "evaluate");

/// The Evaluation of a set of `examples` columns from its parts in column order: the loss
/// shares added one after another from 0, then the L2 term (lambda > 0), the counts summed.
Evaluation combine_evaluation(const Model& model, const std::vector<EvaluationParts>& parts, std::size_t examples);

/// evaluate(model, data).cost.
double cost(const Model& model, const Dataset& data);

/// Model::predictions() of every column of X, in eval mode, shape (outputs, m): sigmoid or
/// softmax probabilities, or the output activation's value (mean squared error). Throws
/// InputError when X has another row count than the model's inputs, no columns, or a NaN/inf
/// entry (named). Changes nothing in `model`.
Matrix evaluate_probabilities(const Model& model, const Matrix& X);

}  // namespace xgrad
