/// @file
/// A labelled data set in the course's layout, and its validation.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// X is (features, m): one example per column. Y is (1, m): one label per example (0 or 1
/// unless a LabelRule says otherwise).
struct Dataset {
  Matrix X;  ///< (features, m) features, one example per column
  Matrix Y;  ///< (1, m) labels, one per example

  /// m, the number of examples (columns of X).
  std::size_t examples() const { return X.shape(1); }
  /// The number of features (rows of X).
  std::size_t features() const { return X.shape(0); }
};

/// A training set and a test set of the same features.
struct TrainTest {
  Dataset train;  ///< the examples a model learns from
  Dataset test;  ///< the examples it is judged on
};

/// What the labels (one row, one per example) of a data set may be, by the loss that reads them:
///   binary       0 or 1 (sigmoid cross-entropy; the default, the course's data)
///   class_index  a class index 0, 1, ..., classes - 1 (softmax cross-entropy over `classes`)
///   target       any finite number (mean squared error)
struct LabelRule {
  /// The kinds of labels, as in the list above.
  enum class Kind { binary, class_index, target };
  Kind kind = Kind::binary;  ///< which kind of label
  std::size_t classes = 2;  ///< class_index only: the number of classes k (>= 2)

  /// 0 or 1 labels.
  static LabelRule binary() { return {}; }
  /// Requires classes >= 2 (InputError otherwise).
  static LabelRule class_indices(std::size_t classes);
  /// Any finite target value.
  static LabelRule targets() { return {Kind::target, 0}; }

  /// Whether `label` qualifies (it is finite and what the kind says).
  bool accepts(double label) const;
  /// What a label must be, for messages: "0 or 1", "a class index 0..2", "a finite number".
  std::string requirement() const;
  /// "binary", "class_index", "target".
  std::string kind_name() const;
};

/// The one check for an empty data set, wherever one is given (data files, training,
/// prediction, evaluation, mini-batches, accuracy): throws InputError "<who>: no examples
/// (<name> is 2x0)" when `data` has no columns.
void require_examples(const Matrix& data, const std::string& who, const std::string& name = "X");

/// Throws InputError whose message starts with `source` (a file path or a name such as
/// "training set") when: there are no examples or no features; Y is not one row; X and Y
/// have different column counts; X or Y holds NaN/inf (the first bad entry's (row, col) is
/// named); a label does not satisfy `labels` (its column and value are named: "label Y(0, 2)
/// = 5 is not a class index 0..2 (example 2)"; "... is not 0 or 1 ..." by default).
void validate_dataset(const Dataset& data, const std::string& source, const LabelRule& labels = LabelRule{});

}  // namespace xgrad
