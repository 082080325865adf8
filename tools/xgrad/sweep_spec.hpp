// A sweep: which `xgrad train` runs to make, from `--sweep FLAG=VALUES` flags or a JSON file,
// expanded into named runs. Nothing here touches the file system except read_sweep_file.
//
// VALUES (a --sweep flag's text, or a string in the file):
//   a,b,c          these values (one value: a setting shared by the part's runs, still named);
//                  separated by ';' instead when a value has commas: layers=20,3,1;40,6,1
//   lin:A:B:N      N values evenly spaced from A to B, both included (numpy.linspace)
//   log:A:B:N      N values evenly spaced on a log scale from A to B, both included, A, B > 0
//                  (numpy.geomspace)
//   range:A:B:S    A, A+S, A+2S, ... up to B (included when reached), S > 0 (numpy.arange with B)
//   rand:A:B:N     N draws, uniform in [A, B)
//   randlog:A:B:N  N draws, uniform on a log scale in [A, B): 10^uniform(log10 A, log10 B)
// The random axes of a part are drawn together: they must have the same N and give N points,
// crossed with the part's other axes (random search). The draws come from one numpy
// RandomState(seed), axis after axis in the order given (parts in order), each taking its N
// uniforms at once, as `rng.uniform(lo, hi, N)` does.
//
// The file (JSON):
//   {"seed": 0,                                 optional, default 0
//    "fixed": {"data": "football.mat", "iterations": 3000},   flags every run gets
//    "sweep": {"lambd": [0, 0.7], "keep-prob": "1,0.86", "lr": "log:1e-3:1e-1:3"},
//    "name": "reg"}                             optional prefix of the run names
// or, for runs that are not one grid, "parts": [{"name", "fixed", "sweep"}, ...] (each part a
// grid of its own, with its own fixed flags, under the top level's "fixed"). A value is a
// string, a number or a list of them; flags are train's, without "--" (a leading "--" is
// allowed). An unknown key is an error naming it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::cli {

// A flag of `xgrad train` (without "--") and its value as command-line text.
using Setting = std::pair<std::string, std::string>;

// One swept setting.
struct SweepAxis {
  std::string flag;                 // "lambd"
  std::vector<std::string> values;  // as command-line text, in order: "0", "0.7"
  bool random = false;              // rand or randlog: drawn together with the part's other random axes
  bool log_scale = false;           // log or randlog: plots put it on a log axis
};

// A grid of runs: every combination of its axes' values (random axes zipped), each run with
// the part's fixed settings.
struct SweepPart {
  std::string name;  // may be empty: then the runs are named by their swept values alone
  std::vector<Setting> fixed;
  std::vector<SweepAxis> axes;
};

struct SweepSpec {
  std::uint64_t seed = 0;
  std::vector<Setting> fixed;  // every run's
  std::vector<SweepPart> parts;
};

// One run of the sweep.
struct SweepRun {
  std::string name;               // its folder's name: [part name_]FLAG=VALUE_FLAG=VALUE...
  std::vector<Setting> settings;  // its swept values, in axis order (what the report shows)
  std::vector<std::string> train_arguments;  // "--flag", "value", ...: fixed, then the part's, then swept
};

// The text of one --sweep flag split at its first '=': "lambd=0,0.7" -> {"lambd", "0,0.7"}.
// Throws InputError "--sweep 'TEXT': ..." without an '=' or with an empty flag or value.
struct AxisText {
  std::string flag;
  std::string values;
};
AxisText split_axis_text(const std::string& text);

// Builds the spec of `--sweep` flags: one part named `name`, draws from `seed`. Throws
// InputError naming the flag and its text.
SweepSpec spec_from_flags(const std::vector<std::string>& sweeps, const std::string& name, std::uint64_t seed);

// Reads the JSON spec file (see the top). Throws InputError "--spec FILE: <problem>" (not
// readable, not JSON, an unknown key, a bad value, naming the key).
SweepSpec read_sweep_file(const std::filesystem::path& file);

// Every run, parts in order, each part's grid with the last axis varying fastest. Requires a
// spec whose axes each have values (the readers ensure it). Throws InputError when two runs
// would share a folder name, when a name is too long for a folder (over 200 bytes), when a
// part has neither axes nor a name, or when a flag is set twice for one run.
std::vector<SweepRun> expand(const SweepSpec& spec);

// A value as a folder-name piece: letters, digits and ". + - =" kept, anything else '-'.
std::string folder_safe(const std::string& text);

}  // namespace xgrad::cli
