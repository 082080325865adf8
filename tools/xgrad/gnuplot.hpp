// Finding and running gnuplot.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace xgrad::cli {

// `text` as a gnuplot double-quoted string ("..." with " and \ escaped); no enhanced-text
// processing is asked for where xgrad's scripts use it.
std::string gnuplot_quoted(const std::string& text);

// The gnuplot executable found on PATH, if any.
std::optional<std::filesystem::path> find_gnuplot();

// Runs `gnuplot <script's file name>` with the script's folder as working directory (so its
// relative file names resolve), stdout and stderr captured.
// Returns nothing on success, else a one-line reason: "exit status 1: <first line gnuplot
// wrote>", or the signal, or why it could not be started. On failure the `pngs` the script
// writes are removed when this run wrote them (a failed run leaves no empty or partial PNG);
// PNGs from an earlier run that this one did not touch stay.
std::optional<std::string> run_gnuplot(const std::filesystem::path& gnuplot, const std::filesystem::path& script,
                                       const std::vector<std::filesystem::path>& pngs);

// Draws `pngs` from `script` (written beside its data) when gnuplot is on PATH, printing
// "wrote PNG" per file to standard output; without gnuplot it prints that the data and the
// script are written and no PNG. Throws RunError "--plots: gnuplot failed on SCRIPT: ..." when
// gnuplot fails (run_gnuplot has removed the PNGs it left).
void draw_with_gnuplot(const std::filesystem::path& script, const std::vector<std::filesystem::path>& pngs);

}  // namespace xgrad::cli
