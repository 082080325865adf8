#include "reference.hpp"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <limits>

namespace xgrad::testing {

namespace {

std::filesystem::path shared_root() {
  if (const char* env = std::getenv("XGRAD_SHARED"); env != nullptr && *env != '\0') {
    return env;
  }
  return "../shared";
}

double number(const nlohmann::json& v) {
  if (v.is_string() && v.get<std::string>() == "inf") return std::numeric_limits<double>::infinity();
  return v.get<double>();
}

}  // namespace

std::optional<std::filesystem::path> shared_file(const std::string& relative) {
  auto path = shared_root() / relative;
  if (std::filesystem::exists(path)) return path;
  return std::nullopt;
}

boost::unit_test::precondition needs_shared(const std::string& relative) {
  return boost::unit_test::precondition([relative](boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result result(shared_file(relative).has_value());
    if (!result) {
      result.message() << "skipped: " << (shared_root() / relative).string()
                       << " is absent (a fresh clone has no ../shared; CI has it)";
    }
    return result;
  });
}

const nlohmann::json& reference() {
  static const nlohmann::json parsed = [] {
    auto path = shared_file("reference/seed_expected.json");
    if (!path) throw std::runtime_error("reference/seed_expected.json is absent");
    std::ifstream in(*path);
    return nlohmann::json::parse(in);
  }();
  return parsed;
}

Matrix to_matrix(const nlohmann::json& rows) {
  if (!rows.empty() && !rows[0].is_array()) {
    Matrix m({1, rows.size()});
    for (std::size_t j = 0; j < rows.size(); ++j) m(0, j) = number(rows[j]);
    return m;
  }
  const std::size_t r = rows.size();
  const std::size_t c = r == 0 ? 0 : rows[0].size();
  Matrix m({r, c});
  for (std::size_t i = 0; i < r; ++i) {
    if (rows[i].size() != c) throw std::runtime_error("reference: ragged matrix");
    for (std::size_t j = 0; j < c; ++j) m(i, j) = number(rows[i][j]);
  }
  return m;
}

std::vector<double> to_vector(const nlohmann::json& list) {
  std::vector<double> out;
  for (const auto& v : list) out.push_back(number(v));
  return out;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

void check_same_bits(const Matrix& actual, const Matrix& expected, const std::string& what) {
  BOOST_TEST_REQUIRE(actual.shape() == expected.shape(), what << ": shape");
  for (std::size_t r = 0; r < actual.shape(0); ++r) {
    for (std::size_t c = 0; c < actual.shape(1); ++c) {
      BOOST_TEST(same_bits(actual(r, c), expected(r, c)),
                 what << "(" << r << ", " << c << "): " << std::setprecision(17)
                      << actual(r, c) << " != " << expected(r, c));
    }
  }
}

}  // namespace xgrad::testing
