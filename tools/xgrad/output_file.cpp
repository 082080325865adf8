#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "xgrad/error.hpp"

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void cannot_write(const fs::path& file, const std::string& reason) {
  throw FileError(file.string() + ": cannot write: " + reason);
}

fs::path folder_of(const fs::path& file) {
  return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

}  // namespace

void write_file_atomically(const fs::path& file, std::string_view content) {
  std::string name = ".";  // built up in steps: GCC 12 warns falsely (-Wrestrict) on "." + string
  name += file.filename().string();
  name += ".tmp-XXXXXX";
  std::string temp = (folder_of(file) / name).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) cannot_write(file, std::strerror(errno));
  const auto fail = [&](const std::string& reason) {
    ::close(fd);
    ::unlink(temp.c_str());
    cannot_write(file, reason);
  };
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) fail(std::strerror(errno));
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    cannot_write(file, std::strerror(errno));
  }
  if (std::rename(temp.c_str(), file.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    cannot_write(file, reason);
  }
}

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
