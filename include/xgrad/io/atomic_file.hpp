// Writing a file so that it is either all old or all new, never half-written.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <filesystem>
#include <string_view>

namespace xgrad {

// Replaces (or creates) `file` with exactly `bytes`, atomically: the bytes go to a fresh
// temporary file in the same folder (named ".<name>.tmp-XXXXXXXX", never mistaken for the
// target), which is flushed, fsync'ed and renamed over `file`; the folder is then fsync'ed.
// On any failure the temporary file is removed, `file` is left as it was, and FileError
// "<path>: cannot write: <reason>" is thrown. The new file's mode is 0666 minus the umask.
void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

}  // namespace xgrad
