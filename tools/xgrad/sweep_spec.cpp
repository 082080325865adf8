#include "sweep_spec.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad::cli {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t max_values = 100000;  // per axis
constexpr std::size_t max_runs = 100000;    // per sweep
constexpr std::size_t max_name_bytes = 200;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    pieces.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return pieces;
    start = end + 1;
  }
}

double number_in(const std::string& field, const std::string& what) {
  double x = 0.0;
  if (!parses_as_finite(field, x)) throw InputError(what + " is '" + field + "', expected a finite number");
  return x;
}

std::size_t count_in(const std::string& field) {
  std::uint64_t n = 0;
  if (!parses_as_whole(field, n) || n < 1 || n > max_values) {
    throw InputError("the count is '" + field + "', expected a whole number from 1 to " + std::to_string(max_values));
  }
  return static_cast<std::size_t>(n);
}

// numpy.linspace(a, b, n): a + i * step, the last exactly b.
std::vector<double> linspace(double a, double b, std::size_t n) {
  std::vector<double> xs;
  const double step = n > 1 ? (b - a) / static_cast<double>(n - 1) : 0.0;
  for (std::size_t i = 0; i < n; ++i) xs.push_back(static_cast<double>(i) * step + a);
  if (n > 1) xs.back() = b;
  return xs;
}

// Parses VALUES (see the header) into `axis`; random draws from `rng`. Throws InputError
// with the problem (the caller adds where the text came from).
void parse_values(const std::string& text, SweepAxis& axis, RandomState& rng) {
  if (text.empty()) throw InputError("no values");
  const std::size_t colon = text.find(':');
  const std::string kind = colon == std::string::npos ? "" : text.substr(0, colon);
  const bool generated = kind == "lin" || kind == "log" || kind == "range" || kind == "rand" || kind == "randlog";
  if (!generated) {
    const char separator = text.find(';') != std::string::npos ? ';' : ',';
    for (const std::string& value : split(text, separator)) {
      if (value.empty()) throw InputError("an empty value in '" + text + "'");
      axis.values.push_back(value);
    }
    if (axis.values.size() > max_values) throw InputError("more than " + std::to_string(max_values) + " values");
    return;
  }
  const std::vector<std::string> fields = split(text.substr(colon + 1), ':');
  const char* const shape = kind == "range" ? "range:START:STOP:STEP" : nullptr;
  if (fields.size() != 3) {
    throw InputError("expected " + (shape ? std::string(shape) : kind + ":FROM:TO:COUNT") + ", got '" + text + "'");
  }
  const double a = number_in(fields[0], kind == "range" ? "the start" : "the lower end");
  const double b = number_in(fields[1], kind == "range" ? "the stop" : "the upper end");
  std::vector<double> xs;
  if (kind == "range") {
    const double step = number_in(fields[2], "the step");
    if (step <= 0.0) throw InputError("the step is " + fields[2] + ", expected a number > 0");
    if (b < a) throw InputError("the stop " + fields[1] + " is below the start " + fields[0]);
    const double slack = step * 1e-9;  // 0.1 + 0.1 + 0.1 still reaches 0.3
    for (std::size_t i = 0; static_cast<double>(i) * step + a <= b + slack; ++i) {
      if (i >= max_values) throw InputError("more than " + std::to_string(max_values) + " values");
      xs.push_back(static_cast<double>(i) * step + a);
    }
  } else {
    const std::size_t n = count_in(fields[2]);
    const bool log = kind == "log" || kind == "randlog";
    if (log && (a <= 0.0 || b <= 0.0)) {
      throw InputError("a log scale needs ends > 0, got " + fields[0] + " and " + fields[1]);
    }
    if (kind == "rand" || kind == "randlog") {
      if (!(a < b)) throw InputError("the lower end " + fields[0] + " is not below the upper end " + fields[1]);
      const double lo = log ? std::log10(a) : a, hi = log ? std::log10(b) : b;
      for (std::size_t i = 0; i < n; ++i) {
        const double u = rng.uniform(lo, hi);
        xs.push_back(log ? std::pow(10.0, u) : u);
      }
      axis.random = true;
    } else if (log) {
      for (double e : linspace(std::log10(a), std::log10(b), n)) xs.push_back(std::pow(10.0, e));
      xs.front() = a;  // numpy.geomspace: the ends exactly
      if (n > 1) xs.back() = b;
    } else {
      xs = linspace(a, b, n);
    }
    axis.log_scale = log;
  }
  for (double x : xs) {
    if (!std::isfinite(x)) throw InputError("a value is not finite (" + format_double(x) + ")");
    axis.values.push_back(format_double(x));
  }
}

std::string flag_name(std::string flag, const std::string& where) {
  if (flag.rfind("--", 0) == 0) flag.erase(0, 2);
  if (flag.empty()) throw InputError(where + ": an empty flag name");
  for (char c : flag) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) throw InputError(where + ": '" + flag + "' is not a flag name (letters, digits, '-')");
  }
  return flag;
}

// A JSON value as command-line text: a string as it is, a number as the shortest decimal.
std::string value_text(const Json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number_float()) return format_double(value.get<double>());
  throw InputError(where + ": expected a string or a number, got " + std::string(value.type_name()));
}

void check_keys(const Json& object, const std::set<std::string>& known, const std::string& where) {
  if (!object.is_object()) throw InputError(where + ": expected an object, got " + std::string(object.type_name()));
  for (const auto& [key, value] : object.items()) {
    if (known.count(key) == 0) {
      std::string listed;
      for (const std::string& k : known) listed += (listed.empty() ? "" : ", ") + k;
      throw InputError(where + ": unknown key \"" + key + "\" (known: " + listed + ")");
    }
  }
}

std::vector<Setting> fixed_settings(const Json& object, const std::string& where) {
  if (!object.is_object()) throw InputError(where + ": expected an object of flags and values");
  std::vector<Setting> settings;
  for (const auto& [key, value] : object.items()) {
    const std::string flag = flag_name(key, where);
    settings.emplace_back(flag, value_text(value, where + "." + key));
  }
  return settings;
}

SweepAxis axis_from_json(const std::string& key, const Json& value, RandomState& rng, const std::string& where) {
  SweepAxis axis;
  axis.flag = flag_name(key, where);
  const std::string at = where + "." + key;
  if (value.is_array()) {
    if (value.empty()) throw InputError(at + ": an empty list");
    for (const Json& v : value) axis.values.push_back(value_text(v, at));
    return axis;
  }
  try {
    parse_values(value_text(value, at), axis, rng);
  } catch (const InputError& e) {
    throw InputError(at + ": " + e.what());
  }
  return axis;
}

SweepPart part_from_json(const Json& object, RandomState& rng, const std::string& where) {
  check_keys(object, {"name", "fixed", "sweep"}, where);
  SweepPart part;
  if (object.contains("name")) {
    if (!object["name"].is_string()) throw InputError(where + ".name: expected a string");
    part.name = object["name"].get<std::string>();
  }
  if (object.contains("fixed")) part.fixed = fixed_settings(object["fixed"], where + ".fixed");
  if (object.contains("sweep")) {
    const Json& sweep = object["sweep"];
    if (!sweep.is_object()) throw InputError(where + ".sweep: expected an object of flags and values");
    for (const auto& [key, value] : sweep.items()) part.axes.push_back(axis_from_json(key, value, rng, where + ".sweep"));
  }
  return part;
}

// The runs of one part.
void expand_part(const SweepSpec& spec, const SweepPart& part, std::size_t index, std::vector<SweepRun>& runs) {
  const std::string which = part.name.empty() ? "part " + std::to_string(index + 1) : "part '" + part.name + "'";
  if (part.axes.empty() && part.name.empty()) {
    throw InputError(which + " sweeps nothing: give it a \"name\" (its one run's folder) or a \"sweep\"");
  }
  // Each flag once per run.
  std::map<std::string, std::string> where;
  auto claim = [&](const std::string& flag, const std::string& place) {
    const auto [it, added] = where.emplace(flag, place);
    if (!added) throw InputError(which + ": flag --" + flag + " is set twice (" + it->second + " and " + place + ")");
  };
  for (const Setting& s : spec.fixed) claim(s.first, "fixed");
  for (const Setting& s : part.fixed) claim(s.first, "the part's fixed");
  for (const SweepAxis& a : part.axes) claim(a.flag, "swept");

  // Random axes zip: their common count is one grid dimension.
  std::vector<const SweepAxis*> grid;
  std::vector<const SweepAxis*> random;
  for (const SweepAxis& a : part.axes) (a.random ? random : grid).push_back(&a);
  for (const SweepAxis* a : random) {
    if (a->values.size() != random.front()->values.size()) {
      throw InputError(which + ": the random axes are drawn together and need the same count, but " +
                       random.front()->flag + " has " + std::to_string(random.front()->values.size()) + " and " +
                       a->flag + " has " + std::to_string(a->values.size()));
    }
  }
  // Dimensions in axis order: a random axis stands at the place of the first random axis.
  struct Dimension {
    std::size_t size;
    std::vector<const SweepAxis*> axes;
  };
  std::vector<Dimension> dims;
  bool random_placed = false;
  for (const SweepAxis& a : part.axes) {
    if (!a.random) {
      dims.push_back({a.values.size(), {&a}});
    } else if (!random_placed) {
      dims.push_back({a.values.size(), random});
      random_placed = true;
    }
  }
  std::size_t total = 1;
  for (const Dimension& d : dims) {
    if (total > max_runs / d.size) throw InputError(which + ": more than " + std::to_string(max_runs) + " runs");
    total *= d.size;
  }
  if (runs.size() + total > max_runs) throw InputError("the sweep has more than " + std::to_string(max_runs) + " runs");

  std::vector<std::size_t> at(dims.size(), 0);
  for (std::size_t n = 0; n < total; ++n) {
    SweepRun run;
    std::map<const SweepAxis*, std::string> chosen;
    for (std::size_t d = 0; d < dims.size(); ++d) {
      for (const SweepAxis* a : dims[d].axes) chosen[a] = a->values[at[d]];
    }
    std::string name = folder_safe(part.name);
    for (const SweepAxis& a : part.axes) {
      run.settings.emplace_back(a.flag, chosen[&a]);
      name += (name.empty() ? "" : "_") + folder_safe(a.flag) + "=" + folder_safe(chosen[&a]);
    }
    if (name.size() > max_name_bytes) {
      throw InputError(which + ": the run folder name '" + name.substr(0, 60) + "...' is longer than " +
                       std::to_string(max_name_bytes) + " bytes; sweep fewer flags per part or shorter values");
    }
    run.name = name;
    for (const std::vector<Setting>* list : std::initializer_list<const std::vector<Setting>*>{&spec.fixed, &part.fixed, &run.settings}) {
      for (const Setting& s : *list) {
        run.train_arguments.push_back("--" + s.first);
        run.train_arguments.push_back(s.second);
      }
    }
    runs.push_back(std::move(run));
    // The last dimension varies fastest.
    for (std::size_t d = dims.size(); d-- > 0;) {
      if (++at[d] < dims[d].size) break;
      at[d] = 0;
    }
  }
}

}  // namespace

std::string folder_safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '+' || c == '-' || c == '=';
    out += keep ? c : '-';
  }
  if (out == "." || out == "..") out = std::string(out.size(), '-');
  return out;
}

AxisText split_axis_text(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) throw InputError("--sweep '" + text + "': expected FLAG=VALUES (e.g. lambd=0,0.7)");
  AxisText axis{text.substr(0, eq), text.substr(eq + 1)};
  if (axis.values.empty()) throw InputError("--sweep '" + text + "': no values after '='");
  return axis;
}

SweepSpec spec_from_flags(const std::vector<std::string>& sweeps, const std::string& name, std::uint64_t seed) {
  SweepSpec spec;
  spec.seed = seed;
  RandomState rng(seed);
  SweepPart part;
  part.name = name;
  for (const std::string& text : sweeps) {
    const AxisText split = split_axis_text(text);
    SweepAxis axis;
    axis.flag = flag_name(split.flag, "--sweep '" + text + "'");
    try {
      parse_values(split.values, axis, rng);
    } catch (const InputError& e) {
      throw InputError("--sweep '" + text + "': " + e.what());
    }
    part.axes.push_back(std::move(axis));
  }
  spec.parts.push_back(std::move(part));
  return spec;
}

SweepSpec read_sweep_file(const std::filesystem::path& file) {
  const std::string where = "--spec " + file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(where + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  Json root;
  try {
    root = Json::parse(text.str());
  } catch (const Json::exception& e) {
    throw InputError(where + ": not valid JSON: " + e.what());
  }
  try {
    check_keys(root, {"seed", "fixed", "sweep", "name", "parts"}, "the top level");
    SweepSpec spec;
    if (root.contains("seed")) {
      const Json& seed = root["seed"];
      if (!seed.is_number_unsigned() || seed.get<std::uint64_t>() > 4294967295u) {
        throw InputError("seed: expected a whole number from 0 to 4294967295, got " + seed.dump());
      }
      spec.seed = seed.get<std::uint64_t>();
    }
    if (root.contains("fixed")) spec.fixed = fixed_settings(root["fixed"], "fixed");
    RandomState rng(spec.seed);
    if (root.contains("parts")) {
      if (root.contains("sweep") || root.contains("name")) {
        throw InputError("give \"sweep\" and \"name\" inside each of \"parts\", not beside it");
      }
      const Json& parts = root["parts"];
      if (!parts.is_array() || parts.empty()) throw InputError("parts: expected a list of parts");
      for (std::size_t i = 0; i < parts.size(); ++i) {
        spec.parts.push_back(part_from_json(parts[i], rng, "parts[" + std::to_string(i) + "]"));
      }
    } else {
      Json single = Json::object();
      if (root.contains("name")) single["name"] = root["name"];
      if (root.contains("sweep")) single["sweep"] = root["sweep"];
      spec.parts.push_back(part_from_json(single, rng, "the top level"));
    }
    return spec;
  } catch (const InputError& e) {
    throw InputError(where + ": " + e.what());
  }
}

std::vector<SweepRun> expand(const SweepSpec& spec) {
  std::vector<SweepRun> runs;
  for (std::size_t i = 0; i < spec.parts.size(); ++i) expand_part(spec, spec.parts[i], i, runs);
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto [it, added] = names.emplace(runs[i].name, i);
    if (!added) {
      throw InputError("two runs would share the folder '" + runs[i].name +
                       "' (values that differ only in characters a folder name cannot hold, or parts without "
                       "distinct names): give the parts different \"name\"s");
    }
  }
  return runs;
}

}  // namespace xgrad::cli
