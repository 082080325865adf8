// A labelled data set in the course's layout, and its validation.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

// X is (features, m): one example per column. Y is (1, m) with labels 0 or 1.
struct Dataset {
  Matrix X;
  Matrix Y;

  std::size_t examples() const { return X.shape(1); }
  std::size_t features() const { return X.shape(0); }
};

struct TrainTest {
  Dataset train;
  Dataset test;
};

// Throws InputError whose message starts with `source` (a file path or a name such as
// "training set") when: there are no examples or no features; Y is not one row; X and Y
// have different column counts; X or Y holds NaN/inf (the first bad entry's (row, col) is
// named); a label is not 0 or 1 (its column and value are named).
void validate_dataset(const Dataset& data, const std::string& source);

}  // namespace xgrad
