#include <xgrad/core/parameter.hpp>

#include <algorithm>

#include <xgrad/core/error.hpp>

namespace xgrad {

void check_parameter_shapes(std::span<Parameter* const> params, std::string_view who) {
  for (const Parameter* p : params) {
    if (p->value.shape() != p->grad.shape()) {
      throw InputError(std::string(who) + ": parameter '" + p->name + "' is " + shape_string(p->value) + " but was created " +
                       shape_string(p->grad) + " (its gradient's shape); a parameter's shape is fixed at creation");
    }
  }
}

std::size_t parameter_count(std::span<Parameter* const> params) {
  std::size_t n = 0;
  for (const Parameter* p : params) n += p->value.size();
  return n;
}

namespace {

std::vector<double> flatten(std::span<Parameter* const> params, Matrix Parameter::*member) {
  std::vector<double> flat;
  flat.reserve(parameter_count(params));
  for (const Parameter* p : params) {
    const Matrix& m = p->*member;
    flat.insert(flat.end(), m.begin(), m.end());
  }
  return flat;
}

}  // namespace

std::vector<double> flatten_values(std::span<Parameter* const> params) {
  return flatten(params, &Parameter::value);
}

std::vector<double> flatten_grads(std::span<Parameter* const> params) {
  return flatten(params, &Parameter::grad);
}

void unflatten_values(std::span<const double> flat, std::span<Parameter* const> params) {
  const std::size_t expected = parameter_count(params);
  if (flat.size() != expected) {
    throw InputError("unflatten_values: vector has " + std::to_string(flat.size()) +
                     " entries but the parameters have " + std::to_string(expected));
  }
  auto it = flat.begin();
  for (Parameter* p : params) {
    std::copy_n(it, p->value.size(), p->value.begin());
    it += static_cast<std::ptrdiff_t>(p->value.size());
  }
}

}  // namespace xgrad
