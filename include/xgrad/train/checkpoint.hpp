/// @file
/// A model's parameters on disk: an uncompressed .npz archive with one float64 array per
/// parameter (fc1.W, fc1.b, ...), which numpy.load reads, and loading one back into a model
/// with every name and shape checked.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <filesystem>

#include <xgrad/core/graph.hpp>
#include <xgrad/train/model.hpp>

namespace xgrad {

/// Writes every parameter of the graph, in graph order, as NAME.npy entries of an .npz
/// archive (save_npz), atomically: `file` is either left as it was or holds the complete
/// archive; a save killed midway leaves at most a temporary file named ".<file name>.tmp-*"
/// beside it, never the target.
/// Throws FileError "<path>: cannot save: fc1.W(0, 3) is nan" when a value is not finite (the
/// file is then untouched), or as write_file_atomically (FileError, WriteError, Interrupted).
void save_parameters(const std::filesystem::path& file, const Graph& graph);
/// The same for a Model's graph.
void save_parameters(const std::filesystem::path& file, const Model& model);

/// Replaces the value of every parameter of the graph with the array of the same name in an
/// .npz archive (as save_parameters or numpy.savez write it).
/// Requires: a zip archive whose entries are all stored (not compressed), not encrypted, not
/// ZIP64, named NAME.npy, each a float64 .npy array (either byte order, C or Fortran order,
/// format 1.0, 2.0 or 3.0) with finite values; exactly one entry per parameter of the graph,
/// no other entries, and each of the parameter's shape (rows, cols).
/// Ensures: all parameters are replaced, or (when anything throws) none is.
/// Throws FileError whose message starts with the path and names the problem and, where one
/// is at fault, the parameter: "no such file", "not an .npz (zip) archive", "truncated",
/// "entry 'fc1.W.npy' is compressed (deflate): save with numpy.savez, not savez_compressed",
/// "CRC mismatch", "fc2.W is 3x20 in the file but the model has 5x20", "no array 'fc3.b'
/// (the file has fc1.W, fc1.b, ...)", "the file has an array 'fc4.W' that the model has no
/// parameter for", "fc1.W(2, 0) is nan".
void load_parameters(const std::filesystem::path& file, Graph& graph);
/// The same for a Model's graph.
void load_parameters(const std::filesystem::path& file, Model& model);

}  // namespace xgrad
