#include "parameter_file.hpp"


#include "output_file.hpp"
#include <xgrad/train/checkpoint.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/io/npy.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {
bool is_folder_target(const std::string& target) { return !target.empty() && target.back() == '/'; }
}  // namespace

fs::path parameter_destination(const std::string& target) {
  if (is_folder_target(target) || target.ends_with(".npz")) return target;
  return target + ".npz";
}

void check_parameter_destination(const std::string& target) {
  if (target.empty()) throw InputError("empty file name");
  if (!is_folder_target(target)) return check_output_file(parameter_destination(target));
  const fs::path folder = fs::path(target).parent_path();
  check_output_folder(folder);
  std::error_code ec;
  const fs::path parent = folder.has_parent_path() ? folder.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, ec) && !fs::is_directory(parent, ec)) {
    throw InputError("folder '" + parent.string() + "' does not exist");
  }
}

fs::path save_parameters(const std::string& target, const Graph& graph) {
  const fs::path destination = parameter_destination(target);
  if (is_folder_target(target)) {
    std::error_code ec;
    fs::create_directories(destination, ec);
    if (ec) throw FileError(destination.string() + ": cannot create folder: " + ec.message());
    for (const Parameter* p : graph.parameters()) save_npy(destination / (p->name + ".npy"), p->value);
    return destination;
  }
  xgrad::save_parameters(destination, graph);
  return destination;
}

}  // namespace xgrad::cli
