// Test support: where the course data lives, and the reference figures in
// seed_expected.json as xgrad types.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <xgrad/core/tensor.hpp>

namespace xgrad::testing {

// The shared folder (XGRAD_SHARED, set by meson test; default ../shared), if it holds
// `relative` (e.g. "data/football.mat").
std::optional<std::filesystem::path> shared_file(const std::string& relative);

// Boost.Test precondition: skip the test case, saying which file is missing.
// Use as BOOST_AUTO_TEST_CASE(name, *needs_shared("reference/seed_expected.json")).
boost::unit_test::precondition needs_shared(const std::string& relative);

// The parsed reference/seed_expected.json. Requires it to be present (use needs_shared).
const nlohmann::json& reference();

// A nested list of numbers (rows of columns) as a Matrix; a flat list becomes (1, n).
// The string "inf" stands for +infinity.
Matrix to_matrix(const nlohmann::json& rows);
std::vector<double> to_vector(const nlohmann::json& list);

// Same bits (so +0 vs -0 and NaN payloads count); for "bit for bit" assertions.
bool same_bits(double a, double b);

// Boost.Test assertions: the shapes are equal (else the test case stops) and every entry
// has the same bits; a failure names `what`(row, col) and both values to 17 digits.
void check_same_bits(const Matrix& actual, const Matrix& expected, const std::string& what);

}  // namespace xgrad::testing
