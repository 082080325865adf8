#include "output_file.hpp"

#include <string>
#include <system_error>

#include <xgrad/core/error.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

fs::path folder_of(const fs::path& file) {
  return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

}  // namespace

void check_output_file(const fs::path& file) {
  if (file.empty()) throw InputError("empty file name");
  std::error_code ec;
  const fs::path folder = folder_of(file);
  if (!fs::is_directory(folder, ec)) throw InputError("folder '" + folder.string() + "' does not exist");
  if (fs::is_directory(file, ec)) throw InputError("'" + file.string() + "' is a folder");
}

void check_output_folder(const fs::path& folder) {
  std::error_code ec;
  if (fs::exists(folder, ec) && !fs::is_directory(folder, ec)) {
    throw InputError("'" + folder.string() + "' exists and is not a folder");
  }
}

void make_output_folder(std::string_view flag, const fs::path& folder) {
  const std::string where = std::string(flag) + ": ";
  try {
    check_output_folder(folder);
  } catch (const InputError& e) {
    throw InputError(where + e.what());
  }
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw InputError(where + "cannot create folder '" + folder.string() + "': " + ec.message());
}

}  // namespace xgrad::cli
