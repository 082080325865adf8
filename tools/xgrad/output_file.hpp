// Output files and folders: checked before any work is done (they are written with
// xgrad::write_file_atomically, which replaces only regular files).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace xgrad::cli {

// Checks, before a run, that `file` can be written later (xgrad::check_writable): its folder
// exists and takes a new file, and `file` is absent or a regular file (not a folder, a
// symbolic link, a device, a FIFO). Throws InputError naming the path (a flag's validator:
// see checked_by).
void check_output_file(const std::filesystem::path& file);

// Checks, before a run, that `folder` is a folder that takes new files, or can be created:
// it is not an existing file, and its nearest existing ancestor is a folder that takes new
// files. Throws InputError naming the path.
void check_output_folder(const std::filesystem::path& folder);

// Creates `folder` (and its parents) if needed. Throws InputError "<flag>: cannot create
// folder '<folder>': <reason>", or when it exists and is not a folder.
void make_output_folder(std::string_view flag, const std::filesystem::path& folder);

// One output of a run: a file, or a folder the run writes files into.
struct OutputTarget {
  std::string flag;  // e.g. "--json"
  std::filesystem::path path;
  bool folder = false;
};

// Checks, before a run, that its outputs do not collide: no two name the same path (after
// resolving '.', '..' and symbolic links of existing folders), and no output lies inside
// another output that is a file. Throws InputError "--json 'r.npz' and --save 'r.npz' name
// the same file" / "... inside ...".
void check_distinct_outputs(const std::vector<OutputTarget>& outputs);

}  // namespace xgrad::cli
