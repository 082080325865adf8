#include <xgrad/io/atomic_file.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include <xgrad/core/error.hpp>

namespace xgrad {

namespace fs = std::filesystem;

namespace {

// Closes and removes the temporary file unless release() was called.
class TemporaryFile {
 public:
  TemporaryFile(const fs::path& target) {
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::random_device entropy;
    for (int attempt = 0; attempt < 100; ++attempt) {
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(entropy()));
      std::string name = ".";
      name += target.filename().string();
      name += ".tmp-";
      name += suffix;
      path_ = folder / name;
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0 || errno != EEXIST) break;
    }
    if (fd_ < 0) {
      throw FileError(target, "cannot write: cannot create a temporary file in '" + folder.string() +
                                  "': " + std::strerror(errno));
    }
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }
  const fs::path& path() const { return path_; }

  // Closes the descriptor; returns 0 or an errno value.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
  }
  void release() { released_ = true; }

 private:
  fs::path path_;
  int fd_ = -1;
  bool released_ = false;
};

int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

// Makes the rename durable; the new content is already complete, so failure is not reported.
void sync_folder(const fs::path& file) {
  const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const fs::path& file, std::string_view bytes) {
  TemporaryFile temporary(file);
  if (const int error = write_all(temporary.fd(), bytes); error != 0) {
    throw FileError(file, std::string("cannot write: ") + std::strerror(error));
  }
  if (::fsync(temporary.fd()) != 0) throw FileError(file, std::string("cannot write: fsync: ") + std::strerror(errno));
  if (const int error = temporary.close(); error != 0) {
    throw FileError(file, std::string("cannot write: close: ") + std::strerror(error));
  }
  if (::rename(temporary.path().c_str(), file.c_str()) != 0) {
    throw FileError(file, std::string("cannot write: ") + std::strerror(errno));
  }
  temporary.release();
  sync_folder(file);
}

}  // namespace xgrad
