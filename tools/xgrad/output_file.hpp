// Output files: their folders checked before any work is done (they are written with
// xgrad::write_file_atomically).
#pragma once

#include <filesystem>
#include <string_view>

namespace xgrad::cli {

// Checks, before a run, that `file` can be created later: its folder exists and `file` is
// not a folder. Throws InputError naming the path (a flag's validator: see checked_by).
void check_output_file(const std::filesystem::path& file);

// Checks, before a run, that `folder` is a folder or can be created as one: it is not an
// existing file. Throws InputError naming the path.
void check_output_folder(const std::filesystem::path& folder);

// Creates `folder` (and its parents) if needed. Throws InputError "<flag>: cannot create
// folder '<folder>': <reason>", or when it exists and is not a folder.
void make_output_folder(std::string_view flag, const std::filesystem::path& folder);

}  // namespace xgrad::cli
