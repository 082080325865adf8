/// @file
/// Training any graph with a loss (full batch or mini-batches, any Optimizer, learning-rate
/// decay), the cost history, the non-finite guard, predictions and accuracy. The Model
/// overloads are shorthands for its graph, inputs and labels.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>

namespace xgrad {

/// Epoch e (from 0) uses learning_rate / (1 + rate * floor(e / interval)): rate 0 keeps it
/// constant; interval 1 is the course's update_lr, a larger one its schedule_lr_decay. In
/// full-batch training every iteration is an epoch.
struct LearningRateDecay {
  double rate = 0.0;  ///< 0: no decay
  std::size_t interval = 1;  ///< epochs per decay step
  /// The learning rate of epoch `epoch` starting from `initial`.
  double at(double initial, std::size_t epoch) const;
};

/// How train() runs: the learning rate and its decay, full batch or mini-batches, and what
/// is recorded and printed.
struct TrainOptions {
  double learning_rate = 0.01;  ///< the rate before any decay
  /// Full batch (mini_batch_size == 0): this many steps on the whole data set.
  std::size_t iterations = 15000;
  /// Mini-batches (mini_batch_size >= 1): `epochs` passes, each over every example once, in
  /// batches of mini_batch_size columns shuffled by RandomState(shuffle_seed + epoch)
  /// (minibatch.hpp); `iterations` is then unused. The course's shuffle_seed is 11.
  std::size_t mini_batch_size = 0;
  std::size_t epochs = 0;  ///< mini-batches only: passes over the data
  std::uint64_t shuffle_seed = 0;  ///< mini-batches only: epoch e shuffles with RandomState(shuffle_seed + e)
  LearningRateDecay decay;  ///< none by default
  /// Recording, printing and progress count iterations (full batch) or epochs (mini-batches).
  std::size_t record_every = 1000;  ///< the cost is recorded when i % record_every == 0
  std::size_t print_every = 0;      ///< "Cost after iteration i: c" lines to `log`; 0 = none
  std::ostream* log = nullptr;  ///< where print_every's lines go; nullptr: nowhere
  /// Stop at the first non-finite cost, naming the iteration (and mini-batch) and the first
  /// node whose value went non-finite (RunError; find_non_finite in non_finite.hpp).
  bool stop_on_non_finite = false;
  /// Before the first step, check it on the first batch (at most 2.5 column tiles of it):
  /// every node's scheduling hooks, then the pass training runs (column tiles, worker threads,
  /// the value switched off) against the plain forward + backward; RunError naming the node
  /// and the hook, or the parameter block, when they differ (check_training_step,
  /// check/training_step.hpp). Runs once, before the first step of a run (Trainer::run while
  /// no step was taken; not again on a resumed run); changes no parameter, stream or
  /// optimizer state.
  bool check_first_step = true;
  /// Called with (iterations or epochs done, total) whenever `done` is a multiple of
  /// max(1, total / 100): after every one when total < 200, about 100 times otherwise.
  std::function<void(std::size_t, std::size_t)> progress;

  /// Full-batch steps are counted exactly in a double (decay, Adam's bias correction).
  static constexpr std::size_t max_steps = std::size_t{1} << 53;
  /// Epoch e shuffles with numpy's RandomState(shuffle_seed + e), whose seeds end at 2^32 - 1.
  static constexpr std::uint64_t max_shuffle_seed = 0xFFFFFFFFu;

  /// Throws InputError: learning rate <= 0 or not finite, iterations == 0 or > max_steps
  /// (full batch), epochs == 0 or shuffle_seed + epochs - 1 > max_shuffle_seed
  /// (mini-batches), record_every == 0, decay rate < 0 or not finite, decay interval == 0, a decay that takes the learning rate to 0 within the run
  /// (final_learning_rate() underflows: rate 1e308 every iteration).
  void validate() const;
  /// The learning rate of the last iteration (full batch) or epoch (mini-batches), after
  /// decay: the smallest of the run. Requires iterations or epochs >= 1.
  double final_learning_rate() const;
  /// "iterations" (full batch) or "epochs" (mini-batches): what decay and recording count.
  const char* steps_name() const { return uses_mini_batches() ? "epochs" : "iterations"; }
  /// True with mini-batches: costs are then recorded per epoch, else per iteration.
  bool uses_mini_batches() const { return mini_batch_size > 0; }
  /// "15000 iterations at learning rate 0.01" or "300 epochs of mini-batches of 64 (shuffle
  /// seed 11) at learning rate 0.01", plus ", decay 1 every 1000 epochs" when the rate decays.
  std::string describe() const;
};

/// One recorded point of a run's cost history.
struct CostRecord {
  std::size_t iteration;  ///< the iteration (full batch) or the epoch (mini-batches)
  /// Full batch: the cost before that iteration's update, as the notes record it.
  /// Mini-batches: the epoch's cost, the mean of its mini-batches' costs weighted by their
  /// sizes (sum of batch cost x batch size / m), each taken before its own update: for a
  /// mean loss without L2 this is the course's cost_total / m.
  double cost;
};

/// What train() returns: the recorded costs and the final one.
struct TrainResult {
  std::vector<CostRecord> costs;  ///< iterations (or epochs) i with i % record_every == 0, in order
  double final_cost = 0.0;  ///< the cost of the last iteration or epoch
};

/// Any graph with a loss, and the inputs a data set is fed to: X into features, Y into labels.
struct Trainable {
  Graph& graph;  ///< a graph with a loss
  Input& features;  ///< where X is fed
  Input& labels;  ///< where Y is fed
};

/// One step on the data already fed: forward (train mode), backward (Graph::forward_backward:
/// in column tiles when the graph allows it), optimizer.step. Returns the cost before the
/// update, or NaN when !cost_wanted (the losses then skip their logarithms). Allocates
/// nothing once the graph has run a step on a batch of this size and the optimizer was
/// started on graph.parameters().
double train_step(Graph& graph, Optimizer& optimizer, double learning_rate, bool cost_wanted = true);
/// The same with gradient descent on a Model.
double train_step(Model& model, double learning_rate);

/// Starts `optimizer` on the graph's parameters, then trains (options say full batch or
/// mini-batches). Requires data.X with features.rows() rows and data.Y with labels.rows()
/// rows, equal column counts, finite values (InputError naming the problem); the loss node
/// checks label values itself (e.g. class indices).
TrainResult train(Trainable trainable, const Dataset& data, const TrainOptions& options, Optimizer& optimizer);
/// Model: the data is first checked against the model (Model::validate_data).
TrainResult train(Model& model, const Dataset& data, const TrainOptions& options, Optimizer& optimizer);
/// Gradient descent.
TrainResult train(Model& model, const Dataset& data, const TrainOptions& options);

/// Feeds X into `features`, runs the graph in eval mode (no dropout) up to the node named
/// `output` and returns a copy of its value, (rows of output, m). This one runs on the
/// graph's own buffers (it replaces the fed data and sizes the nodes for m columns): do not
/// call it in the middle of training a graph. A Model's predict / predict_probabilities /
/// evaluate (evaluate.hpp) leave the model untouched. Nodes after it (the loss)
/// are not run, so no labels are needed. Throws InputError when X has the wrong row count
/// or holds NaN/inf (the first such entry is named), or no node is named `output`.
Matrix predict_output(Graph& graph, Input& features, const Matrix& X, const std::string& output);

/// Model::predictions() in eval mode, shape (outputs, m): sigmoid or softmax probabilities,
/// or the output activation's value (mean squared error): evaluate_probabilities
/// (evaluate.hpp), which changes nothing in the model and runs in column tiles. InputError
/// when X has the wrong row count, no columns or holds NaN/inf (the first such entry named).
Matrix predict_probabilities(Model& model, const Matrix& X);
/// Sigmoid cross-entropy: 1 where the probability is > 0.5, else 0 (the notes' predict).
/// Like predict_probabilities, it changes nothing in the model.
/// Softmax cross-entropy: the class index of each column's largest probability, (1, m)
/// (compare with class_indices(Y) for one-hot labels). Mean squared error: the outputs.
Matrix predict(Model& model, const Matrix& X);
/// (1, m): the row of each column's largest entry (the first of equal ones): one-hot -> indices.
Matrix class_indices(const Matrix& scores);
/// Fraction of entries where predictions == labels. Requires equal shapes (InputError).
double accuracy(const Matrix& predictions, const Matrix& labels);

/// The notes' line: "Cost after iteration 1000: 0.6879825919728063" (shortest round-trip digits).
/// A mini-batch run counts epochs: cost_line(50, c, "epoch") is "Cost after epoch 50: ...".
std::string cost_line(std::size_t iteration, double cost, std::string_view step = "iteration");

}  // namespace xgrad
