/// @file
/// Writing files so that each is either all old or all new, never half-written, and so that
/// nothing but a regular file is ever replaced.
///
/// What may be replaced: a name that does not exist yet, or a regular file. Anything else at
/// the target -- a symbolic link (even one to a regular file), a folder, a device such as
/// /dev/null, a FIFO, a socket -- is refused with FileError `"<path>: cannot write: it is a
/// <kind>; only regular files are replaced"`, never replaced and never written through. (Give
/// the link's target instead of the link.)
///
/// Temporary files are named `.<name>.tmp-XXXXXXXX` in the target's folder, `<name>` cut so that
/// the temporary name fits NAME_MAX (255 bytes): any legal target name works.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <filesystem>
#include <span>
#include <string_view>

namespace xgrad {

/// Checks, before any work, that write_file_atomically(file, ...) can succeed as far as the
/// file system can tell now: `file` is absent or a regular file, its folder exists and a file
/// can be created in it (a probe file ".<name>.probe-XXXXXXXX" is created there and removed).
/// Throws FileError "<path>: cannot write: <reason>".
void check_writable(const std::filesystem::path& file);

/// Replaces (or creates) `file` with exactly `bytes`, atomically: the bytes go to a fresh
/// temporary file in the same folder, which is flushed, fsync'ed and renamed over `file`; the
/// folder is then fsync'ed. The new file's mode is 0666 minus the umask.
/// On any failure the temporary file is removed and `file` is left as it was. Throws
///   FileError "<path>: cannot write: <reason>" when the target cannot be replaced (see the
///     top of this file) or its folder is missing or not writable;
///   WriteError "<path>: cannot write: <reason>" when the bytes cannot be stored: disk full,
///     file-size limit (SIGXFSZ is held for the writing thread, so the limit is reported as
///     "File too large" instead of killing the process), I/O error;
///   Interrupted when interrupt_file_writes() was called before the rename.
void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

/// One file of a write_files_atomically call.
struct FileImage {
  std::filesystem::path file;  ///< the target
  std::string_view bytes;  ///< its whole new content
};

/// Replaces (or creates) every file of `files` together: all old or all new.
/// Requires: distinct targets (InputError otherwise).
/// How: every target is checked first (as above); every file's temporary file is written and
/// fsync'ed; only then is each existing target hard-linked to a backup name
/// (".<name>.old-XXXXXXXX") and each temporary file renamed over its target. Recovery rule: if
/// a rename fails (the folder changed under us), the targets already renamed are restored from
/// their backups (or removed, where they did not exist before), so every target is left as it
/// was, and FileError names the target whose rename failed. Backups are removed at the end.
/// Throws as write_file_atomically, with the targets all left as they were.
void write_files_atomically(std::span<const FileImage> files);

/// For a signal handler (async-signal-safe: one atomic store). Makes every atomic write in
/// progress, and every one started later in this process, stop before its first rename: it
/// removes its temporary files, leaves its targets as they were and throws Interrupted.
/// Meant for a process that is about to end (there is no undo).
void interrupt_file_writes() noexcept;

/// Whether an atomic write is in progress in this process (async-signal-safe).
bool file_writes_in_progress() noexcept;

}  // namespace xgrad
