#include <xgrad/train/non_finite.hpp>

#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>

namespace xgrad {

std::string NonFinite::describe() const {
  const std::string at = " at (" + std::to_string(row) + ", " + std::to_string(col) + ")";
  if (kind == "parameter") return "parameter " + name + " holds " + format_double(value) + at;
  return "node '" + name + "' (" + kind + ") produced " + format_double(value) + at;
}

namespace {

std::optional<NonFinite> first_in(const Matrix& m, const std::string& name, std::string_view kind) {
  if (const auto bad = first_non_finite(m)) return NonFinite{name, std::string(kind), bad->row, bad->col, bad->value};
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
