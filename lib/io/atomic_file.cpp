#include <xgrad/io/atomic_file.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>

namespace xgrad {

namespace fs = std::filesystem;

namespace {

// Process-wide by nature: a signal handler has no other way to reach the writers.
std::atomic<bool> writes_interrupted{false};
std::atomic<int> writes_in_progress{0};

class WriteInProgress {
 public:
  WriteInProgress() { writes_in_progress.fetch_add(1); }
  ~WriteInProgress() { writes_in_progress.fetch_sub(1); }
  WriteInProgress(const WriteInProgress&) = delete;
  WriteInProgress& operator=(const WriteInProgress&) = delete;
};

[[noreturn]] void fail(const fs::path& file, const std::string& problem) {
  throw FileError(file, "cannot write: " + problem);
}

[[noreturn]] void fail_storing(const fs::path& file, const std::string& step, int error) {
  throw WriteError(file.string() + ": cannot write: " + step + std::strerror(error));
}

void check_interrupted(const fs::path& file) {
  if (writes_interrupted.load()) throw Interrupted(file.string() + ": write interrupted; the file was left as it was");
}

fs::path folder_of(const fs::path& file) {
  return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

const char* kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a folder (directory)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Whether `file` exists; throws FileError unless it is absent or a regular file.
bool check_target(const fs::path& file) {
  if (file.empty()) throw FileError("cannot write: empty file name");
  if (!file.has_filename()) fail(file, "the name ends with '/' (a folder, not a file)");
  struct stat info {};
  if (::lstat(file.c_str(), &info) != 0) {
    if (errno == ENOENT) return false;
    fail(file, std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) fail(file, std::string("it is ") + kind_of(info.st_mode) + "; only regular files are replaced");
  return true;
}

// ".<name><tag>XXXXXXXX" beside `target`, <name> cut so that the whole fits NAME_MAX.
fs::path sibling_name(const fs::path& target, const char* tag, unsigned random) {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", random);
  std::string name = target.filename().string();
  const std::size_t room = NAME_MAX - 1 - std::strlen(tag) - 8;
  if (name.size() > room) name.resize(room);
  return folder_of(target) / ("." + name + tag + suffix);
}

// Closes and removes the temporary file unless release() was called.
class TemporaryFile {
 public:
  // `tag`: ".tmp-" for the file a write fills, ".probe-" for check_writable's probe.
  explicit TemporaryFile(const fs::path& target, const char* tag = ".tmp-") {
    std::random_device entropy;
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = sibling_name(target, tag, static_cast<unsigned>(entropy()));
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0 || errno != EEXIST) break;
    }
    if (fd_ < 0) {
      const int error = errno;
      if (error == ENOENT || error == ENOTDIR) {
        fail(target, "folder '" + folder_of(target).string() + "' does not exist (" + std::strerror(error) + ")");
      }
      fail(target, "cannot create a file in folder '" + folder_of(target).string() + "': " + std::strerror(error));
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

// Holds SIGXFSZ for the calling thread while it writes, so that a file-size limit makes
// write() fail with EFBIG instead of killing the process; a SIGXFSZ raised meanwhile is
// discarded on the way out.
class FileSizeSignalHeld {
 public:
  FileSizeSignalHeld() {
    sigemptyset(&signal_);
    sigaddset(&signal_, SIGXFSZ);
    held_ = ::pthread_sigmask(SIG_BLOCK, &signal_, &previous_) == 0 && !sigismember(&previous_, SIGXFSZ);
  }
  ~FileSizeSignalHeld() {
    if (!held_) return;
    sigset_t pending;
    if (::sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ)) {
      const timespec now{0, 0};
      ::sigtimedwait(&signal_, nullptr, &now);
    }
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  FileSizeSignalHeld(const FileSizeSignalHeld&) = delete;
  FileSizeSignalHeld& operator=(const FileSizeSignalHeld&) = delete;

 private:
  sigset_t signal_{}, previous_{};
  bool held_ = false;
};

// Writes `bytes` in pieces, stopping between them when writes are interrupted.
void write_all(const fs::path& file, int fd, std::string_view bytes) {
  constexpr std::size_t piece = std::size_t{1} << 20;
  while (!bytes.empty()) {
    check_interrupted(file);
    const ssize_t written = ::write(fd, bytes.data(), std::min(bytes.size(), piece));
    if (written < 0) {
      if (errno == EINTR) continue;
      fail_storing(file, "", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Writes, syncs and closes the temporary file of `image`.
std::unique_ptr<TemporaryFile> stage(const FileImage& image) {
  auto temporary = std::make_unique<TemporaryFile>(image.file);
  {
    FileSizeSignalHeld held;
    write_all(image.file, temporary->fd(), image.bytes);
  }
  if (::fsync(temporary->fd()) != 0) fail_storing(image.file, "fsync: ", errno);
  if (const int error = temporary->close(); error != 0) fail_storing(image.file, "close: ", error);
  check_interrupted(image.file);
  return temporary;
}

// Makes the renames durable; the new content is already complete, so failure is not reported.
void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// A hard link to an existing target, made just before it is replaced (see write_files_atomically).
std::optional<fs::path> make_backup(const fs::path& target) {
  std::random_device entropy;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path backup = sibling_name(target, ".old-", static_cast<unsigned>(entropy()));
    if (::link(target.c_str(), backup.c_str()) == 0) return backup;
    if (errno != EEXIST) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void check_writable(const fs::path& file) {
  check_target(file);
  TemporaryFile probe(file, ".probe-");
}

void write_file_atomically(const fs::path& file, std::string_view bytes) {
  const FileImage image{file, bytes};
  write_files_atomically(std::span<const FileImage>(&image, 1));
}

void write_files_atomically(std::span<const FileImage> files) {
  WriteInProgress in_progress;
  std::set<fs::path> targets;
  std::vector<bool> existed;
  for (const FileImage& image : files) {
    if (!targets.insert(image.file.lexically_normal()).second) {
      throw InputError(image.file.string() + ": cannot write: the same file is written twice in one save");
    }
    existed.push_back(check_target(image.file));
  }
  std::vector<std::unique_ptr<TemporaryFile>> staged;
  for (const FileImage& image : files) staged.push_back(stage(image));

  // Renames: a single file needs no backup (rename is atomic by itself).
  std::vector<std::optional<fs::path>> backups(files.size());
  if (files.size() > 1) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (existed[i]) backups[i] = make_backup(files[i].file);
    }
  }
  auto remove_backups = [&] {
    for (const auto& backup : backups) {
      if (backup) ::unlink(backup->c_str());
    }
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (::rename(staged[i]->path().c_str(), files[i].file.c_str()) == 0) {
      staged[i]->release();
      continue;
    }
    const int error = errno;
    bool restored = true;
    for (std::size_t j = 0; j < i; ++j) {
      const fs::path& target = files[j].file;
      if (backups[j]) {
        restored = ::rename(backups[j]->c_str(), target.c_str()) == 0 && restored;
        backups[j].reset();
      } else if (!existed[j]) {
        ::unlink(target.c_str());
      } else {
        restored = false;
      }
    }
    remove_backups();
    fail(files[i].file, std::string(std::strerror(error)) +
                            (restored ? "; every file of this save was left as it was"
                                      : "; some files of this save could not be restored"));
  }
  remove_backups();
  std::set<fs::path> folders;
  for (const FileImage& image : files) folders.insert(folder_of(image.file));
  for (const fs::path& folder : folders) sync_folder(folder);
}

void interrupt_file_writes() noexcept { writes_interrupted.store(true); }

bool file_writes_in_progress() noexcept { return writes_in_progress.load() > 0; }

}  // namespace xgrad
