// Output files: written atomically, and their folders checked before any work is done.
#pragma once

#include <filesystem>
#include <string_view>

namespace xgrad::cli {

// Writes `content` to `file` through a temporary file in the same folder that is flushed,
// fsync'ed and renamed over `file`: `file` either keeps its old content or has the new one,
// and no temporary file is left behind.
// Throws FileError "<file>: cannot write: <reason>".
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

// Checks, before a run, that `file` can be created later: its folder exists and `file` is
// not a folder. Throws InputError "<flag>: ..." naming the path.
void check_output_file(std::string_view flag, const std::filesystem::path& file);

// Creates `folder` (and its parents) if needed. Throws InputError "<flag>: cannot create
// folder '<folder>': <reason>", or when it exists and is not a folder.
void make_output_folder(std::string_view flag, const std::filesystem::path& folder);

}  // namespace xgrad::cli
