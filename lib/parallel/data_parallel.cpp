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

void check_share(const Processes& processes, Trainable trainable, const DataShare& share) {
  const Dataset& d = share.data;
  std::string problem;
  if (d.X.shape(0) != trainable.features.rows() || d.Y.shape(0) != trainable.labels.rows() ||
      d.Y.shape(1) != d.X.shape(1)) {
    problem = "X is " + shape_string(d.X) + " and Y is " + shape_string(d.Y) + " but input '" +
              trainable.features.name() + "' has " + std::to_string(trainable.features.rows()) + " rows and '" +
              trainable.labels.name() + "' " + std::to_string(trainable.labels.rows());
  } else if (share.first > share.examples || d.examples() > share.examples - share.first) {
    problem = "columns " + std::to_string(share.first) + " + " + std::to_string(d.examples()) +
              " are outside the data set of " + std::to_string(share.examples);
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
std::vector<std::uint64_t> check_shares(const Processes& processes, Graph& graph, const DataShare& share, bool mini) {
  const std::size_t m = share.examples;
  const std::size_t R = processes.size();
  if (m == 0) throw CollectiveError("data-parallel training: the training set has no examples");
  const std::size_t columns = graph.tile_columns();
  const std::vector<std::uint64_t> firsts = processes.all_gather(static_cast<std::uint64_t>(share.first));
  const std::vector<std::uint64_t> counts = processes.all_gather(static_cast<std::uint64_t>(share.data.examples()));
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

struct SharedFullBatch::Shared {
  Shared(const Processes& processes, Graph& graph) : exchange(processes), root_pass(processes, graph) {}
  MpiTileExchange exchange;
  RootPass root_pass;
};

SharedFullBatch::SharedFullBatch(const Processes& processes, Trainable trainable, const DataShare& share)
    : graph_(trainable.graph) {
  check_share(processes, trainable, share);
  check_shares(processes, graph_, share, false);
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
  Graph& graph = trainable.graph;
  check_share(processes, trainable, share);
  require_same_settings(processes, run_settings(graph, share.examples, options, optimizer));
  const std::size_t m = share.examples;
  const std::size_t R = processes.size();
  const std::size_t rank = processes.rank();
  const std::size_t columns = graph.tile_columns();
  const bool tileable = graph.tileable();
  const bool mini = options.uses_mini_batches();

  const std::vector<std::uint64_t> firsts = check_shares(processes, graph, share, mini);
  const std::vector<std::uint64_t> counts = processes.all_gather(static_cast<std::uint64_t>(share.data.examples()));

  broadcast_parameters(processes, graph);
  if (options.check_first_step && share.data.examples() > 0) {
    check_training_step(graph, trainable.features, trainable.labels, share.data.X, share.data.Y,
                        mini ? std::min(options.mini_batch_size, share.data.examples()) : share.data.examples());
  }
  optimizer.start(graph.parameters());

  MpiTileExchange exchange(processes);
  RootPass root_pass(processes, graph);
  const LearningRateSchedule schedule = LearningRateSchedule::inverse_time(options.decay);
  const std::size_t steps = mini ? options.epochs : options.iterations;
  const std::size_t tick = std::max<std::size_t>(1, steps / 100);
  const char* step_name = mini ? "epoch" : "iteration";
  std::ostream* log = processes.is_root() && options.print_every > 0 ? options.log : nullptr;

  const bool full_shared = !mini && m > columns;
  if (full_shared) {
    exchange.set(m, share.first / columns, share.data.examples() > 0);
  }
  if (!mini && share.data.examples() > 0) {
    graph.feed(trainable.features, share.data.X);
    graph.feed(trainable.labels, share.data.Y);
  }

  // Mini-batches: the shuffled order, each column's holder, and the gathered batch.
  const std::size_t batch_size = mini ? std::min(options.mini_batch_size, m) : 0;
  std::vector<std::size_t> order(mini ? m : 0);
  std::vector<std::size_t> holder_of_first;  // non-empty ranks, by first column
  for (std::size_t r = 0; r < R; ++r) {
    if (counts[r] > 0) holder_of_first.push_back(r);
  }
  const std::size_t fx = trainable.features.rows();
  const std::size_t fy = trainable.labels.rows();
  std::vector<double> mine;
  std::vector<double> gathered;
  std::vector<std::size_t> holders;
  std::vector<std::size_t> held(R);
  std::vector<std::size_t> cursor(R);

  auto holder = [&](std::size_t column) {
    const auto it = std::upper_bound(holder_of_first.begin(), holder_of_first.end(), column,
                                     [&](std::size_t c, std::size_t r) { return c < firsts[r]; });
    return *(it - 1);
  };

  auto batch_pass = [&](std::size_t start, std::size_t n) {
    mine.clear();
    holders.resize(n);
    std::fill(held.begin(), held.end(), 0);
    for (std::size_t p = 0; p < n; ++p) {
      const std::size_t column = order[start + p];
      const std::size_t r = holder(column);
      holders[p] = r;
      ++held[r];
      if (r != rank) continue;
      const std::size_t local = column - share.first;
      for (std::size_t i = 0; i < fx; ++i) mine.push_back(share.data.X(i, local));
      for (std::size_t i = 0; i < fy; ++i) mine.push_back(share.data.Y(i, local));
    }
    processes.all_gather(mine, gathered);
    for (std::size_t r = 0, offset = 0; r < R; offset += held[r] * (fx + fy), ++r) cursor[r] = offset;
    Matrix X({fx, n});
    Matrix Y({fy, n});
    for (std::size_t p = 0; p < n; ++p) {
      const double* in = gathered.data() + cursor[holders[p]];
      for (std::size_t i = 0; i < fx; ++i) X(i, p) = *in++;
      for (std::size_t i = 0; i < fy; ++i) Y(i, p) = *in++;
      cursor[holders[p]] += fx + fy;
    }
    if (n <= columns || !tileable) {
      if (processes.is_root()) {
        graph.feed(trainable.features, X);
        graph.feed(trainable.labels, Y);
      }
      return root_pass.run();
    }
    const ColumnShare tiles = column_share(n, columns, rank, R);
    if (tiles.count > 0) {
      graph.feed(trainable.features, columns_of(X, tiles.first, tiles.count));
      graph.feed(trainable.labels, columns_of(Y, tiles.first, tiles.count));
    }
    exchange.set(n, tiles.first_tile, tiles.count > 0);
    return graph.forward_backward_share(exchange);
  };

  TrainResult result;
  for (std::size_t i = 0; i < steps; ++i) {
    const double rate = schedule.at(options.learning_rate, i);
    double cost = 0.0;
    if (!mini) {
      cost = full_shared ? graph.forward_backward_share(exchange) : root_pass.run();
      optimizer.step(graph.parameters(), rate);
      if (options.stop_on_non_finite && !std::isfinite(cost)) {
        throw CollectiveError("iteration " + std::to_string(i) + ": the cost is " + format_double(cost) +
                              "; try a smaller learning rate");
      }
    } else {
      std::iota(order.begin(), order.end(), std::size_t{0});
      RandomState rng(options.shuffle_seed + i);
      rng.shuffle(std::span<std::size_t>(order));
      double weighted = 0.0;
      for (std::size_t b = 0, start = 0; start < m; ++b, start += batch_size) {
        const std::size_t n = std::min(batch_size, m - start);
        const double batch_cost = batch_pass(start, n);
        optimizer.step(graph.parameters(), rate);
        if (options.stop_on_non_finite && !std::isfinite(batch_cost)) {
          throw CollectiveError("epoch " + std::to_string(i) + ", mini-batch " + std::to_string(b) + ": the cost is " +
                                format_double(batch_cost) + "; try a smaller learning rate");
        }
        weighted += batch_cost * static_cast<double>(n);
      }
      cost = weighted / static_cast<double>(m);
    }
    if (i % options.record_every == 0) result.costs.push_back({i, cost});
    if (log != nullptr && i % options.print_every == 0) *log << cost_line(i, cost, step_name) << '\n';
    result.final_cost = cost;
    if (processes.is_root() && options.progress && (i + 1) % tick == 0) options.progress(i + 1, steps);
  }
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
