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

void check_output_file(std::string_view flag, const fs::path& file) {
  const std::string where = std::string(flag) + ": ";
  if (file.empty()) throw InputError(where + "empty file name");
  std::error_code ec;
  const fs::path folder = folder_of(file);
  if (!fs::is_directory(folder, ec)) throw InputError(where + "folder '" + folder.string() + "' does not exist");
  if (fs::is_directory(file, ec)) throw InputError(where + "'" + file.string() + "' is a folder");
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

}  // namespace xgrad::cli
