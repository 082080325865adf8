#include <xgrad/nodes/losses.hpp>

#include <cmath>
#include <sstream>

#include <xgrad/nodes/activations.hpp>

namespace xgrad {

SigmoidCrossEntropy::SigmoidCrossEntropy(std::string name, Node& logits, Node& labels)
    : MeanLoss(std::move(name), {&logits, &labels}) {
  if (labels.rows() != logits.rows()) {
    fail("labels '" + labels.name() + "' have " + std::to_string(labels.rows()) +
         " rows but logits '" + logits.name() + "' have " + std::to_string(logits.rows()));
  }
}

void SigmoidCrossEntropy::resize(std::size_t batch) {
  Node::resize(batch);
  resize_keeping_spare(probabilities_, spare_probabilities_, inputs()[0]->rows(), batch);
}

double SigmoidCrossEntropy::sum_of_terms(bool value_wanted) {
  const double* z = inputs()[0]->value().data();
  const double* y = inputs()[1]->value().data();
  double* a = probabilities_.data();
  const std::size_t n = probabilities_.size();
  if (!value_wanted) {  // backward needs only a; the log1p was a quarter of a small step
    for (std::size_t k = 0; k < n; ++k) a[k] = sigmoid(z[k]);
    return 0.0;
  }
  double total = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    // sigmoid(z) and the cost's exp(-|z|) share one exp where z >= 0 (same bits as two).
    const double zk = z[k];
    const double e = std::exp(-zk);
    a[k] = 1.0 / (1.0 + e);
    const double e_abs = zk >= 0.0 ? e : std::exp(zk);
    total += std::max(zk, 0.0) - zk * y[k] + std::log1p(e_abs);
  }
  return total;
}

void SigmoidCrossEntropy::add_gradient(double scale) {
  Node& logits = *inputs()[0];
  if (!logits.requires_grad()) return;
  const double* a = probabilities_.data();
  const double* y = inputs()[1]->value().data();
  double* dz = logits.grad().data();
  for (std::size_t k = 0, n = probabilities_.size(); k < n; ++k) dz[k] += (a[k] - y[k]) * scale;
}

BinaryCrossEntropy::BinaryCrossEntropy(std::string name, Node& probabilities, Node& labels)
    : MeanLoss(std::move(name), {&probabilities, &labels}) {
  if (labels.rows() != probabilities.rows()) {
    fail("labels '" + labels.name() + "' have " + std::to_string(labels.rows()) +
         " rows but probabilities '" + probabilities.name() + "' have " +
         std::to_string(probabilities.rows()));
  }
}

double BinaryCrossEntropy::sum_of_terms(bool value_wanted) {
  if (!value_wanted) return 0.0;
  const Matrix& a = inputs()[0]->value();
  const Matrix& y = inputs()[1]->value();
  double total = 0.0;
  for (std::size_t k = 0, n = a.size(); k < n; ++k) {
    total += -std::log(a.data()[k]) * y.data()[k] + -std::log(1.0 - a.data()[k]) * (1.0 - y.data()[k]);
  }
  return total;
}

void BinaryCrossEntropy::add_gradient(double scale) {
  Node& probabilities = *inputs()[0];
  if (!probabilities.requires_grad()) return;
  const double* a = probabilities.value().data();
  const double* y = inputs()[1]->value().data();
  double* da = probabilities.grad().data();
  for (std::size_t k = 0, n = probabilities.value().size(); k < n; ++k) {
    da[k] += (-(y[k] / a[k]) + (1.0 - y[k]) / (1.0 - a[k])) * scale;
  }
}

L2Penalty::L2Penalty(std::string name, std::vector<Parameter*> weights, double lambda)
    : Node(std::move(name), {}, 1), weights_(std::move(weights)), lambda_(lambda) {
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) {
    std::ostringstream msg;
    msg << "lambda must be a finite number >= 0, got " << lambda;
    fail(msg.str());
  }
  for (const Parameter* w : weights_) {
    if (w == nullptr) fail("a weight is null");
  }
}

void L2Penalty::forward(Mode) {
  double squares = 0.0;
  for (const Parameter* w : weights_) {
    double s = 0.0;
    for (double v : w->value) s += v * v;
    squares += s;
  }
  value_(0, 0) = lambda_ / (2.0 * static_cast<double>(examples())) * squares;
}

void L2Penalty::backward() {
  const double g = grad_(0, 0);
  const double m = static_cast<double>(examples());
  for (Parameter* w : weights_) {
    const double* v = w->value.data();
    double* dw = w->grad.data();
    for (std::size_t k = 0, n = w->value.size(); k < n; ++k) dw[k] += g * ((lambda_ * v[k]) / m);
  }
}

Add::Add(std::string name, std::vector<Node*> terms)
    : Node(std::move(name), terms, terms.empty() || terms[0] == nullptr ? 0 : terms[0]->rows()) {
  if (terms.empty()) fail("needs at least one input");
  for (const Node* t : terms) {
    if (t->rows() != rows()) {
      fail("input '" + t->name() + "' has " + std::to_string(t->rows()) + " rows but '" +
           terms[0]->name() + "' has " + std::to_string(rows()));
    }
    if (t->columns(2) != terms[0]->columns(2)) {
      auto columns = [](const Node* n) {
        return n->columns(2) == 1 ? std::string("1 column") : std::string("one column per example");
      };
      fail("input '" + t->name() + "' has " + columns(t) + " but '" + terms[0]->name() + "' has " +
           columns(terms[0]));
    }
  }
}

void Add::forward(Mode) {
  xt::noalias(value_) = inputs()[0]->value();
  for (std::size_t i = 1; i < inputs().size(); ++i) xt::noalias(value_) += inputs()[i]->value();
}

void Add::backward() {
  for (Node* in : inputs()) {
    if (in->requires_grad()) xt::noalias(in->grad()) += grad_;
  }
}

}  // namespace xgrad
