#include <xgrad/core/dataset.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>

namespace xgrad {

namespace {

std::string entry(const char* matrix, std::size_t row, std::size_t col) {
  return std::string(matrix) + "(" + std::to_string(row) + ", " + std::to_string(col) + ")";
}

void require_finite(const Matrix& m, const char* name, const std::string& source) {
  if (auto bad = first_non_finite(m)) throw InputError(source + ": " + describe_entry(name, *bad));
}

}  // namespace

LabelRule LabelRule::class_indices(std::size_t classes) {
  if (classes < 2) {
    throw InputError("class-index labels need at least 2 classes, got " + std::to_string(classes));
  }
  return {Kind::class_index, classes};
}

bool LabelRule::accepts(double label) const {
  switch (kind) {
    case Kind::binary: return label == 0.0 || label == 1.0;
    case Kind::class_index:
      return label >= 0.0 && label < static_cast<double>(classes) && label == std::floor(label);
    case Kind::target: return std::isfinite(label);
  }
  return false;
}

std::string LabelRule::requirement() const {
  switch (kind) {
    case Kind::binary: return "0 or 1";
    case Kind::class_index: return "a class index 0.." + std::to_string(classes - 1);
    case Kind::target: return "a finite number";
  }
  return "?";
}

std::string LabelRule::kind_name() const {
  switch (kind) {
    case Kind::binary: return "binary";
    case Kind::class_index: return "class_index";
    case Kind::target: return "target";
  }
  return "?";
}

void require_examples(const Matrix& data, const std::string& who, const std::string& name) {
  if (data.shape(1) == 0) throw InputError(who + ": no examples (" + name + " is " + shape_string(data) + ")");
}

void validate_dataset(const Dataset& data, const std::string& source, const LabelRule& labels) {
  const Matrix& x = data.X;
  const Matrix& y = data.Y;
  require_examples(x, source);
  if (x.shape(0) == 0) throw InputError(source + ": no features (X is " + shape_string(x) + ")");
  if (y.shape(0) != 1) {
    throw InputError(source + ": Y must be one row of labels, but it is " + shape_string(y));
  }
  if (y.shape(1) != x.shape(1)) {
    throw InputError(source + ": X has " + std::to_string(x.shape(1)) + " examples (columns) but Y has " +
                     std::to_string(y.shape(1)) + " labels (X is " + shape_string(x) + ", Y is " +
                     shape_string(y) + ")");
  }
  require_finite(x, "X", source);
  require_finite(y, "Y", source);
  for (std::size_t j = 0; j < y.shape(1); ++j) {
    if (!labels.accepts(y(0, j))) {
      throw InputError(source + ": label " + entry("Y", 0, j) + " = " + format_double(y(0, j)) + " is not " +
                       labels.requirement() + " (example " + std::to_string(j) + ")");
    }
  }
}

}  // namespace xgrad
