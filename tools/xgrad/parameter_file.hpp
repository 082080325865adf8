// --save: a model's parameters in files numpy reads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <xgrad/core/graph.hpp>

namespace xgrad::cli {

// Where --save TARGET writes: TARGET ending in '/' is a folder of NAME.npy files; otherwise
// an .npz archive, ".npz" appended unless TARGET ends with it (as numpy.savez does).
std::filesystem::path parameter_destination(const std::string& target);

// Checks, before a run, that the destination can be written (its folder exists; a '/' target
// may be a folder still to create). Throws InputError naming the path (a flag's validator).
void check_parameter_destination(const std::string& target);

// Writes every parameter of `graph` (fc1.W, fc1.b, ... in graph order) to the destination
// of `target`, each file atomically. Returns the destination. Throws FileError.
std::filesystem::path save_parameters(const std::string& target, const Graph& graph);

}  // namespace xgrad::cli
