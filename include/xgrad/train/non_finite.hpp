/// @file
/// Where a graph first went non-finite: the first node (in graph order) whose value holds
/// NaN or inf, else the first parameter that does. Like PyTorch's anomaly detection, but
/// after the fact: a trainer calls it once the cost is not finite.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <optional>
#include <string>

#include <xgrad/core/graph.hpp>

namespace xgrad {

/// The first node (or parameter) of a graph that holds a NaN or an infinity, and where.
struct NonFinite {
  std::string name;     ///< the node's or the parameter's name
  std::string kind;     ///< the node's kind, or "parameter"
  std::size_t row = 0;  ///< the first non-finite entry
  std::size_t col = 0;  ///< its column
  double value = 0.0;  ///< nan, inf or -inf

  /// "node 'fc3' (linear) produced nan at (0, 5)" or "parameter fc1.W holds inf at (2, 1)"
  std::string describe() const;
};

/// The first non-finite node value or parameter of the graph, or nothing when all are finite.
/// Allocates only for its answer.
std::optional<NonFinite> find_non_finite(const Graph& graph);

}  // namespace xgrad
