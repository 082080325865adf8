#include "parameter_file.hpp"

#include <vector>

#include "output_file.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/train/checkpoint.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

bool is_folder_target(const std::string& target) { return !target.empty() && target.back() == '/'; }

fs::path parameter_destination(const std::string& target) {
  if (is_folder_target(target) || target.ends_with(".npz")) return target;
  return target + ".npz";
}

void check_parameter_destination(const std::string& target) {
  if (target.empty()) throw InputError("empty file name");
  if (!is_folder_target(target)) return check_output_file(parameter_destination(target));
  check_output_folder(fs::path(target).parent_path());
}

void check_parameter_files(const std::string& target, const Graph& graph) {
  if (!is_folder_target(target)) return;  // the archive was checked with the flag
  const fs::path folder = parameter_destination(target);
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return;  // created at the end: nothing to replace
  try {
    for (const Parameter* p : graph.parameters()) check_writable(folder / (p->name + ".npy"));
  } catch (const FileError& e) {
    throw InputError(std::string("--save: ") + e.what());
  }
}

fs::path save_parameters(const std::string& target, const Graph& graph) {
  const fs::path destination = parameter_destination(target);
  if (!is_folder_target(target)) {
    xgrad::save_parameters(destination, graph);
    return destination;
  }
  std::error_code ec;
  fs::create_directories(destination, ec);
  if (ec) throw FileError(destination.string() + ": cannot create folder: " + ec.message());
  std::vector<std::string> images;
  images.reserve(graph.parameters().size());
  for (const Parameter* p : graph.parameters()) images.push_back(npy_image(p->value));
  std::vector<FileImage> files;
  for (std::size_t i = 0; i < images.size(); ++i) {
    files.push_back({destination / (graph.parameters()[i]->name + ".npy"), images[i]});
  }
  write_files_atomically(files);
  return destination;
}

}  // namespace xgrad::cli
