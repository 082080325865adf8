#define BOOST_TEST_MODULE random
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <cstdint>
#include <string>
#include <vector>

#include "reference.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/numpy/random.hpp>

using xgrad::Matrix;
using xgrad::RandomState;
using xgrad::testing::needs_shared;
using xgrad::testing::reference;
using xgrad::testing::check_same_bits;
using xgrad::testing::same_bits;
using xgrad::testing::to_matrix;
using xgrad::testing::to_vector;

namespace {

const std::vector<std::uint64_t> reference_seeds = {0, 1, 2, 3, 42, 4294967295};

const nlohmann::json& stream_values(std::uint64_t seed) {
  return reference().at("numpy_random_state").at("values").at(std::to_string(seed));
}

void check_same_bits(const std::vector<double>& actual, const std::vector<double>& expected,
                     const std::string& what) {
  BOOST_TEST_REQUIRE(actual.size() == expected.size(), what << ": size");
  for (std::size_t i = 0; i < actual.size(); ++i) {
    BOOST_TEST(same_bits(actual[i], expected[i]),
               what << "[" << i << "]: " << std::setprecision(17) << actual[i]
                    << " != " << expected[i]);
  }
}

template <class Draw>
std::vector<double> draws(std::size_t n, Draw draw) {
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(draw());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(randn_matches_numpy_bitwise,
                     *needs_shared("reference/seed_expected.json")) {
  for (const auto seed : reference_seeds) {
    RandomState rng(seed);
    check_same_bits(draws(7, [&] { return rng.standard_normal(); }),
                    to_vector(stream_values(seed).at("randn(7)")),
                    "seed " + std::to_string(seed) + " randn(7)");
  }
}

BOOST_AUTO_TEST_CASE(rand_matches_numpy_bitwise, *needs_shared("reference/seed_expected.json")) {
  for (const auto seed : reference_seeds) {
    RandomState rng(seed);
    check_same_bits(draws(5, [&] { return rng.random_sample(); }),
                    to_vector(stream_values(seed).at("rand(5)")),
                    "seed " + std::to_string(seed) + " rand(5)");
  }
}

BOOST_AUTO_TEST_CASE(permutation_matches_numpy, *needs_shared("reference/seed_expected.json")) {
  for (const auto seed : reference_seeds) {
    RandomState rng(seed);
    const std::vector<std::size_t> actual = rng.permutation(10);
    std::vector<double> as_double(actual.begin(), actual.end());
    check_same_bits(as_double, to_vector(stream_values(seed).at("permutation(10)")),
                    "seed " + std::to_string(seed) + " permutation(10)");
  }
}

BOOST_AUTO_TEST_CASE(normal_matrix_matches_numpy_bitwise_in_c_order,
                     *needs_shared("reference/seed_expected.json")) {
  for (const auto seed : reference_seeds) {
    RandomState rng(seed);
    check_same_bits(rng.normal(0.0, 0.05, 3, 2),
                    to_matrix(stream_values(seed).at("normal(0,0.05,(3,2))")),
                    "seed " + std::to_string(seed) + " normal(0, 0.05, (3, 2))");
  }
}

BOOST_AUTO_TEST_CASE(interleaved_draws_keep_the_spare_gaussian_across_uniform_draws,
                     *needs_shared("reference/seed_expected.json")) {
  for (const auto seed : reference_seeds) {
    const auto& expected = stream_values(seed).at("interleaved randn(3),rand(2),randn(2)");
    const std::string name = "seed " + std::to_string(seed) + " interleaved ";
    RandomState rng(seed);
    check_same_bits(rng.randn(1, 3), to_matrix(expected.at(0)), name + "randn(3)");
    check_same_bits(rng.rand(1, 2), to_matrix(expected.at(1)), name + "rand(2)");
    check_same_bits(rng.randn(1, 2), to_matrix(expected.at(2)), name + "randn(2)");
  }
}

BOOST_AUTO_TEST_CASE(course_initializations_match_numpy_bitwise,
                     *needs_shared("reference/seed_expected.json")) {
  const auto& examples = reference().at("init_examples");
  {
    const auto& expected = examples.at("random_[3,2,1]_seed3_x10");
    RandomState rng(3);
    const Matrix w1 = rng.randn(2, 3) * 10.0;
    const Matrix w2 = rng.randn(1, 2) * 10.0;
    check_same_bits(w1, to_matrix(expected.at("W1")), "random init W1");
    check_same_bits(w2, to_matrix(expected.at("W2")), "random init W2");
  }
  {
    const auto& expected = examples.at("he_[2,4,1]_seed3");
    RandomState rng(3);
    const Matrix w1 = rng.randn(4, 2) * std::sqrt(2.0 / 2.0);
    const Matrix w2 = rng.randn(1, 4) * std::sqrt(2.0 / 4.0);
    check_same_bits(w1, to_matrix(expected.at("W1")), "He init W1");
    check_same_bits(w2, to_matrix(expected.at("W2")), "He init W2");
  }
}

BOOST_AUTO_TEST_CASE(seed_above_32_bits_throws_naming_the_value) {
  BOOST_CHECK_NO_THROW(RandomState(4294967295ULL));
  try {
    RandomState rng(4294967296ULL);
    BOOST_FAIL("expected InputError");
  } catch (const xgrad::InputError& e) {
    BOOST_TEST(std::string(e.what()).find("4294967296") != std::string::npos, e.what());
  }
  RandomState rng(0);
  BOOST_CHECK_THROW(rng.seed(1ULL << 40), xgrad::InputError);
}

BOOST_AUTO_TEST_CASE(copy_is_a_snapshot_including_the_spare_gaussian) {
  RandomState rng(7);
  rng.standard_normal();  // leaves a spare
  RandomState copy = rng;
  const Matrix from_original = rng.randn(3, 3);
  const Matrix from_copy = copy.randn(3, 3);
  check_same_bits(from_copy, from_original, "copy");
}

BOOST_AUTO_TEST_CASE(reseeding_forgets_the_spare_gaussian) {
  RandomState fresh(5);
  const double first = fresh.standard_normal();

  RandomState reused(11);
  reused.standard_normal();  // leaves a spare
  reused.seed(5);
  BOOST_TEST(same_bits(reused.standard_normal(), first));
}

BOOST_AUTO_TEST_CASE(fill_rand_and_fill_randn_equal_rand_and_randn) {
  RandomState a(9);
  RandomState b(9);
  Matrix buffer({4, 3});
  const double* storage = buffer.data();
  a.fill_rand(buffer);
  BOOST_TEST(buffer.data() == storage);
  check_same_bits(buffer, b.rand(4, 3), "fill_rand");
  a.fill_randn(buffer);
  check_same_bits(buffer, b.randn(4, 3), "fill_randn");
}

BOOST_AUTO_TEST_CASE(random_interval_stays_in_range_including_64_bit_bounds) {
  RandomState rng(123);
  BOOST_TEST(rng.random_interval(0) == 0U);
  for (const std::uint64_t max : {1ULL, 5ULL, 1000ULL, 0xffffffffULL, 0x100000000ULL,
                                  0x123456789abULL, ~0ULL}) {
    for (int i = 0; i < 200; ++i) BOOST_TEST(rng.random_interval(max) <= max);
  }
}

BOOST_AUTO_TEST_CASE(permutation_holds_each_index_once) {
  RandomState rng(4);
  std::vector<std::size_t> p = rng.permutation(1000);
  std::sort(p.begin(), p.end());
  for (std::size_t i = 0; i < p.size(); ++i) BOOST_TEST(p[i] == i);
  BOOST_TEST(rng.permutation(0).empty());
}
