#include <xgrad/train/non_finite.hpp>

#include <cmath>

#include <xgrad/core/format.hpp>

namespace xgrad {

std::string NonFinite::describe() const {
  const std::string at = " at (" + std::to_string(row) + ", " + std::to_string(col) + ")";
  if (kind == "parameter") return "parameter " + name + " holds " + format_double(value) + at;
  return "node '" + name + "' (" + kind + ") produced " + format_double(value) + at;
}

namespace {

std::optional<NonFinite> first_in(const Matrix& m, const std::string& name, std::string_view kind) {
  for (std::size_t k = 0; k < m.size(); ++k) {
    if (!std::isfinite(m.data()[k])) {
      return NonFinite{name, std::string(kind), k / m.shape(1), k % m.shape(1), m.data()[k]};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<NonFinite> find_non_finite(const Graph& graph) {
  for (const Node* n : graph.nodes()) {
    if (auto found = first_in(n->value(), n->name(), n->kind())) return found;
  }
  for (const Parameter* p : graph.parameters()) {
    if (auto found = first_in(p->value, p->name, "parameter")) return found;
  }
  return std::nullopt;
}

}  // namespace xgrad
