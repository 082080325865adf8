#include <xgrad/train/checkpoint.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/input_file.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/io/npz.hpp>

namespace xgrad {

namespace fs = std::filesystem;

namespace {

using detail::printable;

// The first non-finite entry of m, if any, as "NAME(r, c) is nan".
std::optional<std::string> non_finite(const std::string& name, const Matrix& m) {
  if (auto bad = first_non_finite(m)) return describe_entry(name, *bad);
  return std::nullopt;
}

}  // namespace

void save_parameters(const fs::path& file, const Graph& graph) {
  std::vector<std::pair<std::string, Matrix>> arrays;
  for (const Parameter* p : graph.parameters()) {
    if (auto bad = non_finite(p->name, p->value)) throw FileError(file, "cannot save: " + *bad);
    arrays.emplace_back(p->name, p->value);
  }
  save_npz(file, arrays);
}

void save_parameters(const fs::path& file, const Model& model) { save_parameters(file, model.graph()); }

void load_parameters(const fs::path& file, Graph& graph) {
  const std::vector<std::pair<std::string, Matrix>> arrays = load_npz(file);
  auto file_names = [&] {
    std::string names;
    for (const auto& [name, array] : arrays) names += (names.empty() ? "" : ", ") + printable(name);
    return names.empty() ? std::string("no arrays") : names;
  };

  const auto params = graph.parameters();
  std::vector<Matrix> values;
  for (const Parameter* p : params) {
    const auto found = std::find_if(arrays.begin(), arrays.end(), [&](const auto& a) { return a.first == p->name; });
    if (found == arrays.end()) throw FileError(file, "no array '" + p->name + "' (the file has " + file_names() + ")");
    if (found->second.shape() != p->value.shape()) {
      throw FileError(file, p->name + " is " + shape_string(found->second) + " in the file but the model has " +
                                shape_string(p->value));
    }
  }
  for (const auto& entry : arrays) {
    const std::string& name = entry.first;
    if (std::none_of(params.begin(), params.end(), [&](const Parameter* p) { return p->name == name; })) {
      throw FileError(file, "the file has an array '" + printable(name) + "' that the model has no parameter for");
    }
  }
  for (const Parameter* p : params) {
    const auto found = std::find_if(arrays.begin(), arrays.end(), [&](const auto& a) { return a.first == p->name; });
    if (auto bad = non_finite(p->name, found->second)) throw FileError(file, *bad);
    values.push_back(found->second);
  }
  for (std::size_t i = 0; i < params.size(); ++i) xt::noalias(params[i]->value) = values[i];
}

void load_parameters(const fs::path& file, Model& model) { load_parameters(file, model.graph()); }

}  // namespace xgrad
