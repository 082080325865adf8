#include <xgrad/train/evaluate.hpp>

#include <algorithm>
#include <functional>

#include <xgrad/core/error.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad {

namespace {

// The spec of the evaluation graph: the model's, without dropout (eval mode runs none) and
// with zero initial parameters (they are overwritten by the model's values).
ModelSpec evaluation_spec(const ModelSpec& spec) {
  ModelSpec twin = spec;
  twin.input_keep_prob = 1.0;
  for (LayerSpec& layer : twin.layers) layer.keep_prob = 1.0;
  twin.init.kind = InitKind::zeros;
  return twin;
}

// A graph of its own with the model's current parameter values.
class EvaluationGraph {
 public:
  explicit EvaluationGraph(const Model& model) : twin_(evaluation_spec(model.spec())) {
    const auto mine = twin_.graph().parameters();
    const auto theirs = model.graph().parameters();
    if (mine.size() != theirs.size()) {
      throw RunError("evaluate: the evaluation graph has " + std::to_string(mine.size()) +
                       " parameters but the model has " + std::to_string(theirs.size()) +
                       " (does an activation factory add parameters only sometimes?)");
    }
    for (std::size_t i = 0; i < mine.size(); ++i) {
      if (mine[i]->name != theirs[i]->name || mine[i]->value.shape() != theirs[i]->value.shape()) {
        throw RunError("evaluate: parameter " + std::to_string(i) + " is " + mine[i]->name + " " +
                         shape_string(mine[i]->value) + " in the evaluation graph but " + theirs[i]->name + " " +
                         shape_string(theirs[i]->value) + " in the model");
      }
      xt::noalias(mine[i]->value) = theirs[i]->value;
    }
  }

  // Runs the graph in eval mode over tiles of X's (and Y's) columns, in order, and calls
  // visit(first column, width) after each tile's forward pass. The mean nodes divide by
  // X's whole column count, so that their values are the tile's share of the mean.
  void run(const Matrix& X, const Matrix* Y, const std::function<void(std::size_t, std::size_t)>& visit) {
    run(X, Y, X.shape(1), visit);
  }

  // The same, the means dividing by `examples` (the whole set's columns) instead.
  void run(const Matrix& X, const Matrix* Y, std::size_t examples,
           const std::function<void(std::size_t, std::size_t)>& visit) {
    Graph& graph = twin_.graph();
    const std::size_t m = X.shape(1);
    const std::size_t width = std::min(m, graph.tile_columns());
    Matrix x_tile({X.shape(0), width});
    Matrix y_tile = xt::zeros<double>({twin_.labels().rows(), width});
    for (std::size_t first = 0; first < m; first += width) {
      const std::size_t w = std::min(width, m - first);
      if (w != x_tile.shape(1)) {
        x_tile = Matrix({X.shape(0), w});
        y_tile = xt::zeros<double>({twin_.labels().rows(), w});
      }
      copy_columns(X, first, x_tile);
      if (Y != nullptr) copy_columns(*Y, first, y_tile);
      graph.feed(twin_.features(), x_tile);
      graph.feed(twin_.labels(), y_tile);
      for (Node* n : graph.nodes()) n->set_examples(examples);
      graph.forward(Mode::eval);
      visit(first, w);
    }
  }

  const Model& model() const { return twin_; }
  std::size_t tile_columns() { return twin_.graph().tile_columns(); }
  double loss_share() const { return twin_.loss_term().value()(0, 0); }
  // The L2 term of the last tile (it does not depend on the tile), 0 without L2.
  double l2_term() const {
    const Node* l2 = twin_.graph().find("l2");
    return l2 == nullptr ? 0.0 : l2->value()(0, 0);
  }

 private:
  static void copy_columns(const Matrix& from, std::size_t first, Matrix& to) {
    const std::size_t cols = to.shape(1);
    for (std::size_t i = 0; i < to.shape(0); ++i) {
      const double* src = from.data() + i * from.shape(1) + first;
      std::copy(src, src + cols, to.data() + i * cols);
    }
  }

  Model twin_;
};

void check_features(const Model& model, const Matrix& X, const std::string& who) {
  if (X.shape(0) != model.spec().inputs) {
    throw InputError(who + ": X has " + std::to_string(X.shape(0)) + " rows (features) but the model takes " +
                     std::to_string(model.spec().inputs));
  }
  require_examples(X, who);
  if (const auto bad = first_non_finite(X)) throw InputError(describe_entry(who + ": X", *bad));
}

// Index of the largest entry of column j (the first of equal ones).
std::size_t best_row(const Matrix& scores, std::size_t j) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < scores.shape(0); ++i) {
    if (scores(i, j) > scores(best, j)) best = i;
  }
  return best;
}

}  // namespace

std::size_t evaluation_tile_columns(const Model& model) {
  EvaluationGraph graph(model);
  return graph.tile_columns();
}

EvaluationParts evaluate_parts(const Model& model, const Dataset& data, std::size_t examples, const std::string& source) {
  EvaluationParts parts;
  if (data.X.shape(1) == 0 && data.Y.shape(1) == 0) return parts;
  model.validate_data(data, source);
  if (examples < data.X.shape(1)) {
    throw InputError(source + ": " + std::to_string(data.X.shape(1)) + " columns of a set of " +
                     std::to_string(examples));
  }
  EvaluationGraph graph(model);
  const ModelSpec& spec = model.spec();
  const Matrix& Y = data.Y;
  graph.run(data.X, &Y, examples, [&](std::size_t first, std::size_t width) {
    parts.loss_shares.push_back(graph.loss_share());
    const Matrix& p = graph.model().predictions();
    switch (spec.loss) {
      case Loss::sigmoid_cross_entropy:
        for (std::size_t i = 0; i < p.shape(0); ++i) {
          for (std::size_t j = 0; j < width; ++j) {
            parts.right += ((p(i, j) > 0.5 ? 1.0 : 0.0) == Y(i, first + j)) ? 1 : 0;
          }
        }
        parts.counted += p.shape(0) * width;
        break;
      case Loss::softmax_cross_entropy:
        for (std::size_t j = 0; j < width; ++j) {
          const std::size_t predicted = best_row(p, j);
          const std::size_t truth = spec.labels == LabelLayout::class_index
                                        ? static_cast<std::size_t>(Y(0, first + j))
                                        : best_row(Y, first + j);
          parts.right += predicted == truth ? 1 : 0;
        }
        parts.counted += width;
        break;
      case Loss::mean_squared_error: break;
    }
  });
  parts.l2_term = graph.l2_term();
  return parts;
}

Evaluation combine_evaluation(const Model& model, const std::vector<EvaluationParts>& parts, std::size_t examples) {
  double loss = 0.0;
  double l2 = 0.0;
  std::size_t right = 0;
  std::size_t counted = 0;
  for (const EvaluationParts& p : parts) {
    for (const double share : p.loss_shares) loss += share;
    if (!p.loss_shares.empty()) l2 = p.l2_term;
    right += p.right;
    counted += p.counted;
  }
  Evaluation result;
  result.examples = examples;
  result.cost = model.spec().lambda > 0.0 ? loss + l2 : loss;
  if (model.spec().loss != Loss::mean_squared_error) {
    result.accuracy = static_cast<double>(right) / static_cast<double>(counted);
  }
  return result;
}

Evaluation evaluate(const Model& model, const Dataset& data, const std::string& source) {
  // evaluate_parts validates every set with columns; an empty one is refused here (a share of
  // a data-parallel set may be empty, a whole set may not).
  if (data.X.shape(1) == 0 && data.Y.shape(1) == 0) model.validate_data(data, source);
  return combine_evaluation(model, {evaluate_parts(model, data, data.X.shape(1), source)}, data.X.shape(1));
}

double cost(const Model& model, const Dataset& data) { return evaluate(model, data).cost; }

Matrix evaluate_probabilities(const Model& model, const Matrix& X) {
  check_features(model, X, "predict");
  EvaluationGraph graph(model);
  Matrix out;
  graph.run(X, nullptr, [&](std::size_t first, std::size_t width) {
    const Matrix& p = graph.model().predictions();
    if (out.size() == 0) out = Matrix({p.shape(0), X.shape(1)});
    for (std::size_t i = 0; i < p.shape(0); ++i) {
      std::copy(p.data() + i * width, p.data() + (i + 1) * width, out.data() + i * X.shape(1) + first);
    }
  });
  return out;
}

}  // namespace xgrad
