// --save: a model's parameters in files numpy reads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <xgrad/core/graph.hpp>

namespace xgrad::cli {

// Whether --save TARGET names a folder (it ends with '/').
bool is_folder_target(const std::string& target);

// Where --save TARGET writes: TARGET ending in '/' is a folder of NAME.npy files; otherwise
// an .npz archive, ".npz" appended unless TARGET ends with it (as numpy.savez does).
std::filesystem::path parameter_destination(const std::string& target);

// Checks, before a run, that the destination can be written (check_output_file, or for a '/'
// target check_output_folder). Throws InputError naming the path (a flag's validator).
void check_parameter_destination(const std::string& target);

// Checks, once the model is built and before training, that every file the save will write
// can be replaced (xgrad::check_writable): for a '/' target each existing NAME.npy of the
// folder. Throws InputError "--save: <path>: cannot write: ..." naming the file.
void check_parameter_files(const std::string& target, const Graph& graph);

// Writes every parameter of `graph` (fc1.W, fc1.b, ... in graph order) to the destination
// of `target`: the .npz atomically; the NAME.npy files of a folder all together
// (xgrad::write_files_atomically: all old or all new). Returns the destination.
// Throws FileError, WriteError or Interrupted, the destination then left as it was.
std::filesystem::path save_parameters(const std::string& target, const Graph& graph);

}  // namespace xgrad::cli
