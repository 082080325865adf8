// A fresh folder under the system temp folder for one test, removed with everything in it
// when the TempFolder goes. Header-only.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace xgrad::testing {

struct TempFolder {
  std::filesystem::path dir;

  // The folder's name is `prefix` followed by two random numbers.
  explicit TempFolder(const std::string& prefix) {
    std::random_device entropy;
    dir = std::filesystem::temp_directory_path() /
          (prefix + std::to_string(entropy()) + "-" + std::to_string(entropy()));
    std::filesystem::create_directory(dir);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // Writes `bytes` to dir/name (replacing it) and returns that path.
  std::filesystem::path write(const std::string& name, const std::string& bytes) const {
    const std::filesystem::path path = dir / name;
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  // The names of the entries directly in the folder, in directory order.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    return names;
  }
};

}  // namespace xgrad::testing
