// Plain gradient descent.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <span>

#include <xgrad/core/parameter.hpp>

namespace xgrad {

// Throws InputError unless learning_rate is finite and > 0.
void validate_learning_rate(double learning_rate);

// value = value - learning_rate * grad for every parameter (the notes' update_parameters).
// Allocates nothing. Requires learning_rate > 0 and finite (InputError otherwise).
void sgd_step(std::span<Parameter* const> params, double learning_rate);

}  // namespace xgrad
