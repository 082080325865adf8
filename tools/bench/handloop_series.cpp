#include "handloop_series.hpp"

#include <cstdio>
#include <fstream>

#include "workload.hpp"

namespace bench {

void write_handloop_input(const std::string& path, std::size_t m) {
  const xgrad::Dataset data = circles(m);
  xgrad::Model model(he_spec({2, 10, 5, 1}));
  std::ofstream out(path);
  out.precision(17);
  out << m << '\n';
  for (double v : data.X) out << v << ' ';
  out << '\n';
  for (double v : data.Y) out << static_cast<int>(v) << ' ';
  out << '\n';
  for (const auto& [W, b] : parameters_of(model)) {
    for (double v : W) out << v << ' ';
    out << '\n';
  }
}

std::optional<double> run_handloop(const std::string& program, std::size_t iterations, const std::string& file) {
  const std::string command = "'" + program + "' " + std::to_string(iterations) + " '" + file + "'";
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return std::nullopt;
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, child) != nullptr;
  if (::pclose(child) != 0 || !read) return std::nullopt;
  const std::string text = line;
  const std::string key = "\"us_per_iter\": ";
  const auto at = text.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + key.size()));
}

}  // namespace bench
