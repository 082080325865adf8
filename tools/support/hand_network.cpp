#include "hand_network.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>

namespace bench {

namespace {

std::vector<double> copy_of(const xgrad::Matrix& m) { return {m.begin(), m.end()}; }

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

HandNetwork::HandNetwork(const std::vector<std::size_t>& dims,
                         const std::vector<std::pair<xgrad::Matrix, xgrad::Matrix>>& params,
                         const xgrad::Matrix& X, const xgrad::Matrix& Y, Products products)
    : dims_(dims), m_(X.shape(1)), products_(products), X_(copy_of(X)), Y_(copy_of(Y)) {
  for (std::size_t l = 0; l + 1 < dims.size(); ++l) {
    W_.push_back(copy_of(params[l].first));
    b_.push_back(copy_of(params[l].second));
    dW_.emplace_back(W_.back().size());
    db_.emplace_back(b_.back().size());
    Z_.emplace_back(dims[l + 1] * m_);
    A_.emplace_back(l + 2 < dims.size() ? dims[l + 1] * m_ : 0);
    dZ_.emplace_back(dims[l + 1] * m_);
  }
}

void HandNetwork::forward() {
  const std::size_t m = m_;
  for (std::size_t l = 0; l < W_.size(); ++l) {
    const std::size_t out = dims_[l + 1];
    const std::size_t in = dims_[l];
    const double* a = l == 0 ? X_.data() : A_[l - 1].data();
    const double* w = W_[l].data();
    double* z = Z_[l].data();
    for (std::size_t i = 0; i < out; ++i) std::fill(z + i * m, z + (i + 1) * m, b_[l][i]);
    if (products_ == Products::blas) {
      // (out, in) (in, m) -> (out, m), added to the broadcast bias.
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(out), static_cast<int>(m),
                  static_cast<int>(in), 1.0, w, static_cast<int>(in), a, static_cast<int>(m), 1.0, z,
                  static_cast<int>(m));
    } else {
      for (std::size_t i = 0; i < out; ++i) {
        double* zi = z + i * m;
        for (std::size_t k = 0; k < in; ++k) {
          const double wik = w[i * in + k];
          const double* ak = a + k * m;
          for (std::size_t j = 0; j < m; ++j) zi[j] += wik * ak[j];
        }
      }
    }
    if (l + 1 < W_.size()) {
      double* act = A_[l].data();
      for (std::size_t k = 0; k < out * m; ++k) act[k] = z[k] > 0.0 ? z[k] : 0.0;
    }
  }
}

double HandNetwork::cross_entropy() const {
  const double* z = Z_.back().data();
  const double* y = Y_.data();
  double total = 0.0;
  for (std::size_t k = 0, n = Z_.back().size(); k < n; ++k) {
    total += std::max(z[k], 0.0) - z[k] * y[k] + std::log1p(std::exp(-std::abs(z[k])));
  }
  return total / static_cast<double>(m_);
}

void HandNetwork::backward() {
  const std::size_t m = m_;
  const double scale = 1.0 / static_cast<double>(m);
  {
    const double* z = Z_.back().data();
    const double* y = Y_.data();
    double* dz = dZ_.back().data();
    for (std::size_t k = 0, n = dZ_.back().size(); k < n; ++k) dz[k] = (sigmoid(z[k]) - y[k]) * scale;
  }
  for (std::size_t l = W_.size(); l-- > 0;) {
    const std::size_t out = dims_[l + 1];
    const std::size_t in = dims_[l];
    const double* a = l == 0 ? X_.data() : A_[l - 1].data();
    const double* dz = dZ_[l].data();
    double* dw = dW_[l].data();
    if (products_ == Products::blas) {
      // (out, m) (m, in) -> (out, in)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(out), static_cast<int>(in),
                  static_cast<int>(m), 1.0, dz, static_cast<int>(m), a, static_cast<int>(m), 0.0, dw,
                  static_cast<int>(in));
    } else {
      for (std::size_t i = 0; i < out; ++i) {
        for (std::size_t k = 0; k < in; ++k) {
          double s = 0.0;
          for (std::size_t j = 0; j < m; ++j) s += dz[i * m + j] * a[k * m + j];
          dw[i * in + k] = s;
        }
      }
    }
    for (std::size_t i = 0; i < out; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j < m; ++j) s += dz[i * m + j];
      db_[l][i] = s;
    }
    if (l == 0) break;
    const double* w = W_[l].data();
    double* da = dZ_[l - 1].data();
    if (products_ == Products::blas) {
      // (in, out) (out, m) -> (in, m)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(in), static_cast<int>(m),
                  static_cast<int>(out), 1.0, w, static_cast<int>(in), dz, static_cast<int>(m), 0.0, da,
                  static_cast<int>(m));
    } else {
      std::fill(da, da + in * m, 0.0);
      for (std::size_t k = 0; k < in; ++k) {
        double* dak = da + k * m;
        for (std::size_t i = 0; i < out; ++i) {
          const double wik = w[i * in + k];
          const double* dzi = dz + i * m;
          for (std::size_t j = 0; j < m; ++j) dak[j] += wik * dzi[j];
        }
      }
    }
    const double* act = A_[l - 1].data();
    for (std::size_t k = 0; k < in * m; ++k) da[k] = act[k] > 0.0 ? da[k] : 0.0;
  }
}

void HandNetwork::update(double learning_rate) {
  for (std::size_t l = 0; l < W_.size(); ++l) {
    for (std::size_t k = 0; k < W_[l].size(); ++k) W_[l][k] -= learning_rate * dW_[l][k];
    for (std::size_t k = 0; k < b_[l].size(); ++k) b_[l][k] -= learning_rate * db_[l][k];
  }
}

double HandNetwork::cost() {
  forward();
  return cross_entropy();
}

double HandNetwork::cost_and_gradients() {
  forward();
  const double c = cross_entropy();
  backward();
  return c;
}

double HandNetwork::step(double learning_rate) {
  const double c = cost_and_gradients();
  update(learning_rate);
  return c;
}

}  // namespace bench
