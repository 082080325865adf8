#include <xgrad/nodes/dropout.hpp>

#include <sstream>

namespace xgrad {

Dropout::Dropout(std::string name, Node& input, double keep_prob, RandomStream& stream)
    : Node(std::move(name), {&input}, input.rows()), keep_prob_(keep_prob), stream_(stream) {
  if (!(keep_prob > 0.0 && keep_prob <= 1.0)) {
    std::ostringstream msg;
    msg << "keep_prob must be in (0, 1], got " << keep_prob;
    fail(msg.str());
  }
}

void Dropout::resize(std::size_t batch) {
  Node::resize(batch);
  resize_keeping_spare(mask_, spare_mask_, value_.shape(0), value_.shape(1));
}

void Dropout::set_mask(const Matrix& mask) {
  if (mask.shape() != mask_.shape()) {
    fail("set_mask: mask is " + shape_string(mask) + " but the node's value is " +
         shape_string(value_));
  }
  for (double d : mask) {
    if (d != 0.0 && d != 1.0) fail("set_mask: mask entries must be 0 or 1");
  }
  xt::noalias(mask_) = mask;
  last_mode_ = Mode::train;
}

void Dropout::forward(Mode mode) {
  last_mode_ = mode;
  const double* in = inputs()[0]->value().data();
  double* out = value_.data();
  const std::size_t n = value_.size();
  if (mode == Mode::eval) {
    std::copy(in, in + n, out);
    return;
  }
  stream_.state().fill_rand(mask_);
  double* d = mask_.data();
  for (std::size_t k = 0; k < n; ++k) {
    d[k] = d[k] < keep_prob_ ? 1.0 : 0.0;
    out[k] = (d[k] * in[k]) / keep_prob_;
  }
}

void Dropout::backward() {
  Node& input = *inputs()[0];
  if (!input.requires_grad()) return;
  const double* g = grad_.data();
  double* dx = input.grad().data();
  const std::size_t n = grad_.size();
  if (last_mode_ == Mode::eval) {
    for (std::size_t k = 0; k < n; ++k) dx[k] += g[k];
    return;
  }
  const double* d = mask_.data();
  for (std::size_t k = 0; k < n; ++k) dx[k] += (g[k] * d[k]) / keep_prob_;
}

}  // namespace xgrad
