/// @file
/// A named, trainable matrix and its gradient, plus flattening of an ordered parameter list
/// into one vector and back (the notes' dictionary_to_vector / vector_to_dictionary).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// A parameter's shape is fixed when it is created (Graph::parameter sizes grad like value):
/// replacing `value` with a matrix of another shape is caught by the next Graph::forward and
/// the next optimizer step (check_parameter_shapes), which name the parameter.
struct Parameter {
  std::string name;  ///< e.g. "fc1.W"
  Matrix value;  ///< the parameter's values, of the shape it was created with
  /// Same shape as value. Every node that reads value adds its share into grad
  /// (Linear and L2Penalty both read a weight); Graph::backward zeroes it first.
  Matrix grad;
};

/// Throws InputError "<who>: parameter 'fc1.b' is 1x1 but was created 10x1 (its gradient's
/// shape); a parameter's shape is fixed at creation" unless every value has its grad's shape.
void check_parameter_shapes(std::span<Parameter* const> params, std::string_view who);

/// Total number of scalar entries.
std::size_t parameter_count(std::span<Parameter* const> params);

/// Concatenation of every parameter's value (or grad), each in row-major order, in list order.
std::vector<double> flatten_values(std::span<Parameter* const> params);
/// The same for every parameter's grad.
std::vector<double> flatten_grads(std::span<Parameter* const> params);

/// Inverse of flatten_values. Throws InputError when flat.size() != parameter_count(params).
void unflatten_values(std::span<const double> flat, std::span<Parameter* const> params);

}  // namespace xgrad
