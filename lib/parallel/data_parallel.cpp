#include <xgrad/parallel/data_parallel.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <span>

#include <xtensor/xview.hpp>

#include <xgrad/check/training_step.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/core/tile_exchange.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/schedule.hpp>
#include <xgrad/train/trainer.hpp>
#include <optional>

namespace xgrad::parallel {

namespace {

// The processes of a shared batch, as Graph::forward_backward_share sees them: every tile's
// sums reach every process through one MPI_Allgatherv (tiles in rank order = tile order).
class MpiTileExchange final : public TileExchange {
 public:
  explicit MpiTileExchange(const Processes& processes) : processes_(processes) {}

  void set(std::size_t examples, std::size_t first_tile, bool holds) {
    examples_ = examples;
    first_tile_ = first_tile;
    holds_ = holds;
  }
  std::size_t examples() const override { return examples_; }
  std::size_t first_tile() const override { return first_tile_; }
  bool holds_columns() const override { return holds_; }
  std::span<const double> all_tiles(std::span<const double> mine, std::size_t /*doubles_per_tile*/) override {
    processes_.all_gather(mine, all_);
    return all_;
  }

 private:
  const Processes& processes_;
  std::size_t examples_ = 0;
  std::size_t first_tile_ = 0;
  bool holds_ = false;
  std::vector<double> all_;
};

Matrix columns_of(const Matrix& m, std::size_t first, std::size_t count) {
  return xt::view(m, xt::all(), xt::range(first, first + count));
}

// A pass that one process runs alone (one tile, or a graph that cannot be tiled): rank 0 runs
// forward_backward on the whole batch it was fed and sends the gradients and the cost.
class RootPass {
 public:
  RootPass(const Processes& processes, Graph& graph)
      : processes_(processes), graph_(graph), buffer_(parameter_count(graph.parameters()) + 1) {}

  double run() {
    const auto params = graph_.parameters();
    if (processes_.is_root()) {
      const double cost = graph_.forward_backward();
      double* out = buffer_.data();
      for (const Parameter* p : params) out = std::copy(p->grad.data(), p->grad.data() + p->grad.size(), out);
      *out = cost;
    }
    processes_.broadcast(buffer_);
    if (!processes_.is_root()) {
      const double* in = buffer_.data();
      for (Parameter* p : params) {
        std::copy(in, in + p->grad.size(), p->grad.data());
        in += p->grad.size();
      }
    }
    return buffer_.back();
  }

 private:
  const Processes& processes_;
  Graph& graph_;
  std::vector<double> buffer_;
};

void check_share(const Processes& processes, Trainable trainable, const Dataset& d, std::size_t first,
                 std::size_t examples) {
  std::string problem;
  if (d.X.shape(0) != trainable.features.rows() || d.Y.shape(0) != trainable.labels.rows() ||
      d.Y.shape(1) != d.X.shape(1)) {
    problem = "X is " + shape_string(d.X) + " and Y is " + shape_string(d.Y) + " but input '" +
              trainable.features.name() + "' has " + std::to_string(trainable.features.rows()) + " rows and '" +
              trainable.labels.name() + "' " + std::to_string(trainable.labels.rows());
  } else if (first > examples || d.examples() > examples - first) {
    problem = "columns " + std::to_string(first) + " + " + std::to_string(d.examples()) +
              " are outside the data set of " + std::to_string(examples);
  } else if (const auto bad = first_non_finite(d.X)) {
    problem = describe_entry("X", *bad);
  } else if (const auto bad_y = first_non_finite(d.Y)) {
    problem = describe_entry("Y", *bad_y);
  }
  const std::vector<std::string> problems = processes.all_gather(problem);
  for (std::size_t r = 0; r < problems.size(); ++r) {
    if (!problems[r].empty()) {
      throw CollectiveError("process " + std::to_string(r) + " of " + std::to_string(problems.size()) +
                            ": its share of the training set: " + problems[r]);
    }
  }
}

// The shares: contiguous, in rank order, covering the m columns (full batch: column_share's,
// and a graph that can be tiled unless it is one tile). Returns every process's first column.
std::vector<std::uint64_t> check_shares(const Processes& processes, Graph& graph, const Dataset& data, std::size_t first,
                                        std::size_t m, bool mini) {
  const std::size_t R = processes.size();
  if (m == 0) throw CollectiveError("data-parallel training: the training set has no examples");
  const std::size_t columns = graph.tile_columns();
  const std::vector<std::uint64_t> firsts = processes.all_gather(static_cast<std::uint64_t>(first));
  const std::vector<std::uint64_t> counts = processes.all_gather(static_cast<std::uint64_t>(data.examples()));
  for (std::size_t r = 0, next = 0; r < R; next += counts[r], ++r) {
    const ColumnShare expected = column_share(m, columns, r, R);
    const bool wrong = mini ? firsts[r] != next : (firsts[r] != expected.first || counts[r] != expected.count);
    if (wrong || (r + 1 == R && next + counts[r] != m)) {
      throw CollectiveError(
          "process " + std::to_string(r) + " of " + std::to_string(R) + " holds columns " + std::to_string(firsts[r]) +
          " + " + std::to_string(counts[r]) + " of " + std::to_string(m) + ", but " +
          (mini ? "the shares must follow each other in rank order and cover every column"
                : "full-batch training needs whole tiles: columns " + std::to_string(expected.first) + " + " +
                      std::to_string(expected.count) + " (column_share with " + std::to_string(columns) +
                      " tile columns)"));
    }
  }
  if (!mini && m > columns && !graph.tileable()) {
    throw CollectiveError("data-parallel training: this graph cannot be tiled (a node is not column-separable), so a "
                          "full batch of " + std::to_string(m) + " columns cannot be shared: run on one process");
  }
  return firsts;
}

}  // namespace

namespace {

// The passes of a data-parallel Trainer (shared_passes).
class SharedPasses final : public TrainingPasses {
 public:
  SharedPasses(const Processes& processes, ShareSpan train, ShareSpan validation)
      : processes_(processes), span_(train), validation_(validation), exchange_(processes) {}

  void start(Trainable trainable, const Dataset& train, const TrainOptions& options) override {
    trainable_.emplace(trainable);
    train_ = &train;
    options_ = options;
    Graph& graph = trainable.graph;
    check_share(processes_, trainable, train, span_.first, span_.examples);
    std::string settings = "examples " + std::to_string(span_.examples) + "; tile columns " +
                           std::to_string(graph.tile_columns()) + "; " + options.describe() + "; validation examples " +
                           std::to_string(validation_.examples) + "; parameters";
    for (const Parameter* p : graph.parameters()) settings += " " + p->name + " " + shape_string(p->value);
    require_same_settings(processes_, settings);
    mini_ = options.uses_mini_batches();
    firsts_ = check_shares(processes_, graph, train, span_.first, span_.examples, mini_);
    counts_ = processes_.all_gather(static_cast<std::uint64_t>(train.examples()));
    broadcast_parameters(processes_, graph);
    root_pass_.emplace(processes_, graph);
    const std::size_t m = span_.examples;
    const std::size_t columns = graph.tile_columns();
    full_shared_ = !mini_ && m > columns;
    if (full_shared_) exchange_.set(m, span_.first / columns, train.examples() > 0);
    if (mini_) {
      order_.resize(m);
      for (std::size_t r = 0; r < processes_.size(); ++r) {
        if (counts_[r] > 0) holder_of_first_.push_back(r);
      }
      held_.resize(processes_.size());
      cursor_.resize(processes_.size());
    }
  }

  void check_first_step() override {
    const std::size_t n = train_->examples();
    if (n == 0) return;
    check_training_step(trainable_->graph, trainable_->features, trainable_->labels, train_->X, train_->Y,
                        mini_ ? std::min(options_.mini_batch_size, n) : n);
  }

  void begin_run() override {
    if (!mini_ && train_->examples() > 0) {
      trainable_->graph.feed(trainable_->features, train_->X);
      trainable_->graph.feed(trainable_->labels, train_->Y);
    }
  }

  double epoch(std::size_t epoch, double rate, bool /*cost_wanted*/, Optimizer& optimizer, std::size_t& steps) override {
    Graph& graph = trainable_->graph;
    if (!mini_) {
      const double cost = full_shared_ ? graph.forward_backward_share(exchange_) : root_pass_->run();
      optimizer.step(graph.parameters(), rate);
      ++steps;
      if (options_.stop_on_non_finite && !std::isfinite(cost)) {
        throw CollectiveError("iteration " + std::to_string(epoch) + ": the cost is " + format_double(cost) +
                              "; try a smaller learning rate");
      }
      return cost;
    }
    const std::size_t m = span_.examples;
    const std::size_t batch_size = std::min(options_.mini_batch_size, m);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    RandomState rng(options_.shuffle_seed + epoch);
    rng.shuffle(std::span<std::size_t>(order_));
    double weighted = 0.0;
    for (std::size_t b = 0, start = 0; start < m; ++b, start += batch_size) {
      const std::size_t n = std::min(batch_size, m - start);
      const double batch_cost = batch_pass(start, n);
      optimizer.step(graph.parameters(), rate);
      ++steps;
      if (options_.stop_on_non_finite && !std::isfinite(batch_cost)) {
        throw CollectiveError("epoch " + std::to_string(epoch) + ", mini-batch " + std::to_string(b) +
                              ": the cost is " + format_double(batch_cost) + "; try a smaller learning rate");
      }
      weighted += batch_cost * static_cast<double>(n);
    }
    return weighted / static_cast<double>(m);
  }

  Evaluation evaluate(const Model& model, const Dataset& data, const std::string& source) override {
    const std::size_t m = validation_.examples;
    const std::size_t R = processes_.size();
    if (m == 0) throw CollectiveError("data-parallel validation: the passes were made without a validation set");
    const ColumnShare expected = column_share(m, evaluation_tile_columns(model), processes_.rank(), R);
    std::string problem;
    if (validation_.first != expected.first || data.examples() != expected.count) {
      problem = "it holds columns " + std::to_string(validation_.first) + " + " + std::to_string(data.examples()) +
                " of the " + std::to_string(m) + " validation examples, but a shared evaluation needs columns " +
                std::to_string(expected.first) + " + " + std::to_string(expected.count) + " (column_share)";
    }
    const std::vector<std::string> problems = processes_.all_gather(problem);
    for (std::size_t r = 0; r < R; ++r) {
      if (!problems[r].empty()) {
        throw CollectiveError("process " + std::to_string(r) + " of " + std::to_string(R) + ": " + problems[r]);
      }
    }
    const EvaluationParts mine = evaluate_parts(model, data, m, source);
    EvaluationParts all;
    processes_.all_gather(mine.loss_shares, all.loss_shares);
    const std::vector<std::uint64_t> rights = processes_.all_gather(static_cast<std::uint64_t>(mine.right));
    const std::vector<std::uint64_t> counted = processes_.all_gather(static_cast<std::uint64_t>(mine.counted));
    for (std::size_t r = 0; r < R; ++r) {
      all.right += rights[r];
      all.counted += counted[r];
    }
    // The L2 term depends on the parameters and m only: rank 0 always holds the first tile.
    std::vector<double> l2{mine.l2_term};
    processes_.broadcast(l2);
    all.l2_term = l2[0];
    return combine_evaluation(model, {all}, m);
  }

 private:
  // A mini-batch's pass: the holders of its columns send them to every process; its tiles are
  // split as column_share splits a data set (one tile, or a graph that cannot be tiled: rank 0).
  double batch_pass(std::size_t start, std::size_t n) {
    Graph& graph = trainable_->graph;
    const std::size_t R = processes_.size();
    const std::size_t rank = processes_.rank();
    const std::size_t fx = trainable_->features.rows();
    const std::size_t fy = trainable_->labels.rows();
    const std::size_t columns = graph.tile_columns();
    mine_.clear();
    holders_.resize(n);
    std::fill(held_.begin(), held_.end(), 0);
    for (std::size_t p = 0; p < n; ++p) {
      const std::size_t column = order_[start + p];
      const auto it = std::upper_bound(holder_of_first_.begin(), holder_of_first_.end(), column,
                                       [&](std::size_t c, std::size_t r) { return c < firsts_[r]; });
      const std::size_t r = *(it - 1);
      holders_[p] = r;
      ++held_[r];
      if (r != rank) continue;
      const std::size_t local = column - span_.first;
      for (std::size_t i = 0; i < fx; ++i) mine_.push_back(train_->X(i, local));
      for (std::size_t i = 0; i < fy; ++i) mine_.push_back(train_->Y(i, local));
    }
    processes_.all_gather(mine_, gathered_);
    for (std::size_t r = 0, offset = 0; r < R; offset += held_[r] * (fx + fy), ++r) cursor_[r] = offset;
    Matrix X({fx, n});
    Matrix Y({fy, n});
    for (std::size_t p = 0; p < n; ++p) {
      const double* in = gathered_.data() + cursor_[holders_[p]];
      for (std::size_t i = 0; i < fx; ++i) X(i, p) = *in++;
      for (std::size_t i = 0; i < fy; ++i) Y(i, p) = *in++;
      cursor_[holders_[p]] += fx + fy;
    }
    if (n <= columns || !graph.tileable()) {
      if (processes_.is_root()) {
        graph.feed(trainable_->features, X);
        graph.feed(trainable_->labels, Y);
      }
      return root_pass_->run();
    }
    const ColumnShare tiles = column_share(n, columns, rank, R);
    if (tiles.count > 0) {
      graph.feed(trainable_->features, columns_of(X, tiles.first, tiles.count));
      graph.feed(trainable_->labels, columns_of(Y, tiles.first, tiles.count));
    }
    exchange_.set(n, tiles.first_tile, tiles.count > 0);
    return graph.forward_backward_share(exchange_);
  }

  const Processes& processes_;
  ShareSpan span_;
  ShareSpan validation_;
  std::optional<Trainable> trainable_;
  const Dataset* train_ = nullptr;
  TrainOptions options_;
  bool mini_ = false;
  bool full_shared_ = false;
  std::vector<std::uint64_t> firsts_, counts_;
  MpiTileExchange exchange_;
  std::optional<RootPass> root_pass_;
  // Mini-batches: the shuffled order, each column's holder, and the gathered batch.
  std::vector<std::size_t> order_;
  std::vector<std::size_t> holder_of_first_;  // non-empty ranks, by first column
  std::vector<double> mine_, gathered_;
  std::vector<std::size_t> holders_, held_, cursor_;
};

}  // namespace

std::shared_ptr<TrainingPasses> shared_passes(const Processes& processes, ShareSpan train, ShareSpan validation) {
  return std::make_shared<SharedPasses>(processes, train, validation);
}

struct SharedFullBatch::Shared {
  Shared(const Processes& processes, Graph& graph) : exchange(processes), root_pass(processes, graph) {}
  MpiTileExchange exchange;
  RootPass root_pass;
};

SharedFullBatch::SharedFullBatch(const Processes& processes, Trainable trainable, const DataShare& share)
    : graph_(trainable.graph) {
  check_share(processes, trainable, share.data, share.first, share.examples);
  check_shares(processes, graph_, share.data, share.first, share.examples, false);
  broadcast_parameters(processes, graph_);
  shared_ = std::make_unique<Shared>(processes, graph_);
  const std::size_t columns = graph_.tile_columns();
  tiled_ = share.examples > columns;
  if (tiled_) shared_->exchange.set(share.examples, share.first / columns, share.data.examples() > 0);
  if (share.data.examples() > 0) {
    graph_.feed(trainable.features, share.data.X);
    graph_.feed(trainable.labels, share.data.Y);
  }
}

SharedFullBatch::~SharedFullBatch() = default;

double SharedFullBatch::forward_backward() {
  return tiled_ ? graph_.forward_backward_share(shared_->exchange) : shared_->root_pass.run();
}

DataShare take_share(const Dataset& whole, const ColumnShare& share) {
  const std::size_t m = whole.examples();
  if (share.first > m || share.count > m - share.first) {
    throw InputError("share of the data set: columns " + std::to_string(share.first) + " + " +
                     std::to_string(share.count) + " are outside its " + std::to_string(m));
  }
  DataShare out;
  out.data.X = columns_of(whole.X, share.first, share.count);
  out.data.Y = columns_of(whole.Y, share.first, share.count);
  out.first = share.first;
  out.examples = m;
  return out;
}

void broadcast_parameters(const Processes& processes, Graph& graph) {
  std::string shapes;
  for (const Parameter* p : graph.parameters()) shapes += p->name + " " + shape_string(p->value) + "; ";
  require_same_settings(processes, "parameters " + shapes);
  std::vector<double> values(parameter_count(graph.parameters()));
  double* out = values.data();
  for (const Parameter* p : graph.parameters()) out = std::copy(p->value.begin(), p->value.end(), out);
  processes.broadcast(values);
  const double* in = values.data();
  for (Parameter* p : graph.parameters()) {
    std::copy(in, in + p->value.size(), p->value.begin());
    in += p->value.size();
  }
}

std::string run_settings(Graph& graph, std::size_t examples, const TrainOptions& options, const Optimizer& optimizer) {
  std::string text = "examples " + std::to_string(examples) + "; tile columns " + std::to_string(graph.tile_columns()) +
                     "; " + options.describe() + "; record every " + std::to_string(options.record_every) +
                     (options.stop_on_non_finite ? "; stop on non-finite" : "") + "; optimizer " + optimizer.describe() +
                     "; parameters";
  for (const Parameter* p : graph.parameters()) text += " " + p->name + " " + shape_string(p->value);
  return text;
}

TrainResult train(const Processes& processes, Trainable trainable, const DataShare& share,
                  const TrainOptions& options, Optimizer& optimizer) {
  options.validate();
  require_same_settings(processes, run_settings(trainable.graph, share.examples, options, optimizer));
  TrainerOptions run_options;
  run_options.training = options;
  if (!processes.is_root()) {  // rank 0 alone prints
    run_options.training.log = nullptr;
    run_options.training.progress = nullptr;
  }
  run_options.passes = shared_passes(processes, {share.first, share.examples});
  Trainer trainer(trainable, optimizer, share.data, std::move(run_options));
  const RunSummary summary = trainer.run(options.uses_mini_batches() ? options.epochs : options.iterations);
  TrainResult result;
  for (const HistoryRecord& h : trainer.history()) result.costs.push_back({h.epoch, h.cost});
  result.final_cost = summary.final_cost;
  return result;
}

TrainResult train(const Processes& processes, Model& model, const DataShare& share, const TrainOptions& options,
                  Optimizer& optimizer) {
  std::string problem;
  if (share.data.examples() > 0) {
    try {
      model.validate_data(share.data, "training set (this process's share)");
    } catch (const InputError& e) {
      problem = e.what();
    }
  }
  const std::vector<std::string> problems = processes.all_gather(problem);
  for (std::size_t r = 0; r < problems.size(); ++r) {
    if (!problems[r].empty()) {
      throw CollectiveError("process " + std::to_string(r) + " of " + std::to_string(problems.size()) + ": " +
                            problems[r]);
    }
  }
  return train(processes, Trainable{model.graph(), model.features(), model.labels()}, share, options, optimizer);
}

double accuracy(const Processes& processes, const Matrix& predictions, const Matrix& labels) {
  if (predictions.shape() != labels.shape()) {
    throw InputError("accuracy: predictions are " + shape_string(predictions) + " but labels are " +
                     shape_string(labels));
  }
  std::uint64_t same = 0;
  for (std::size_t k = 0; k < labels.size(); ++k) same += predictions.data()[k] == labels.data()[k] ? 1 : 0;
  const std::vector<std::uint64_t> sames = processes.all_gather(same);
  const std::vector<std::uint64_t> sizes = processes.all_gather(static_cast<std::uint64_t>(labels.size()));
  const std::uint64_t total = std::accumulate(sizes.begin(), sizes.end(), std::uint64_t{0});
  if (total == 0) throw CollectiveError("accuracy: no examples on any process");
  return static_cast<double>(std::accumulate(sames.begin(), sames.end(), std::uint64_t{0})) /
         static_cast<double>(total);
}

}  // namespace xgrad::parallel
