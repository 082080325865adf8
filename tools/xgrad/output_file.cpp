#include "output_file.hpp"

#include <string>
#include <system_error>

#include <xgrad/core/error.hpp>
#include <xgrad/io/atomic_file.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

// The path with '.', '..' and the symbolic links of its existing part resolved.
fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path full = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) full = fs::absolute(path, ec).lexically_normal();
  if (!full.has_filename()) full = full.parent_path();  // "dir/" is "dir"
  return full;
}

bool is_inside(const fs::path& inner, const fs::path& outer) {
  const fs::path relative = inner.lexically_relative(outer);
  return !relative.empty() && *relative.begin() != "..";
}

std::string shown(const OutputTarget& output) { return output.flag + " '" + output.path.string() + "'"; }

}  // namespace

void check_output_file(const fs::path& file) {
  if (file.empty()) throw InputError("empty file name");
  check_writable(file);
}

void check_output_folder(const fs::path& folder) {
  std::error_code ec;
  const fs::path start = folder.empty() ? fs::path(".") : folder;
  if (fs::exists(start, ec) && !fs::is_directory(start, ec)) {
    throw InputError("'" + folder.string() + "' exists and is not a folder");
  }
  // The nearest existing ancestor must take new files (create_directories starts there).
  fs::path existing = start;
  while (!fs::exists(existing, ec) && existing.has_relative_path() && existing.has_parent_path() &&
         existing.parent_path() != existing) {
    existing = existing.parent_path();
  }
  if (!fs::exists(existing, ec)) existing = ".";
  if (!fs::is_directory(existing, ec)) {
    throw InputError("cannot create folder '" + folder.string() + "': '" + existing.string() + "' is not a folder");
  }
  try {
    check_writable(existing / ".xgrad-write-check");
  } catch (const FileError&) {
    throw InputError("cannot write into folder '" + existing.string() + "'");
  }
}

void make_output_folder(std::string_view flag, const fs::path& folder) {
  const std::string where = std::string(flag) + ": ";
  std::error_code ec;
  if (fs::exists(folder, ec) && !fs::is_directory(folder, ec)) {
    throw InputError(where + "'" + folder.string() + "' exists and is not a folder");
  }
  fs::create_directories(folder, ec);
  if (ec) throw InputError(where + "cannot create folder '" + folder.string() + "': " + ec.message());
}

void check_distinct_outputs(const std::vector<OutputTarget>& outputs) {
  std::vector<fs::path> paths;
  for (const OutputTarget& output : outputs) paths.push_back(resolved(output.path));
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (std::size_t j = 0; j < outputs.size(); ++j) {
      if (i == j) continue;
      if (i < j && paths[i] == paths[j]) {
        throw InputError(shown(outputs[i]) + " and " + shown(outputs[j]) + " name the same " +
                         (outputs[i].folder && outputs[j].folder ? "folder" : "path") + "; give each output its own");
      }
      if (!outputs[i].folder && is_inside(paths[j], paths[i])) {
        throw InputError(shown(outputs[j]) + " lies inside " + shown(outputs[i]) + ", which is a file");
      }
    }
  }
}

}  // namespace xgrad::cli
