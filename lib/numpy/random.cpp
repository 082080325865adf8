#include <xgrad/numpy/random.hpp>

#include <cmath>
#include <sstream>

#include <cmath>
#include <numeric>
#include <string>

#include <xgrad/core/error.hpp>

namespace xgrad {

namespace {

constexpr std::uint64_t max_seed = 0xffffffffU;

// numpy's matrices are C order; so is Matrix, which makes storage order the draw order.
static_assert(Matrix::static_layout == xt::layout_type::row_major);

}  // namespace

RandomState::RandomState(std::uint64_t seed) { this->seed(seed); }

void RandomState::seed(std::uint64_t seed) {
  if (seed > max_seed) {
    throw InputError("RandomState: seed " + std::to_string(seed) +
                     " is out of range (must be between 0 and 4294967295)");
  }
  engine_.seed(static_cast<std::mt19937::result_type>(seed));  // init_genrand(seed), as numpy
  has_gauss_ = false;
  gauss_ = 0.0;
}

std::uint32_t RandomState::next_uint32() { return static_cast<std::uint32_t>(engine_()); }

double RandomState::random_sample() {
  const std::uint32_t a = next_uint32() >> 5;
  const std::uint32_t b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double RandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double spare = gauss_;
    gauss_ = 0.0;
    return spare;
  }
  double x1 = 0.0;
  double x2 = 0.0;
  double r2 = 0.0;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

double RandomState::normal(double loc, double scale) { return loc + scale * standard_normal(); }

double RandomState::uniform(double low, double high) {
  return low + (high - low) * random_sample();
}

std::uint64_t RandomState::random_interval(std::uint64_t max) {
  if (max == 0) return 0;
  std::uint64_t mask = max;
  for (unsigned shift = 1; shift < 64; shift *= 2) mask |= mask >> shift;
  std::uint64_t value = 0;
  if (max <= 0xffffffffU) {
    do {
      value = next_uint32() & mask;
    } while (value > max);
  } else {
    do {
      const std::uint64_t high = next_uint32();
      const std::uint64_t low = next_uint32();
      value = ((high << 32) | low) & mask;
    } while (value > max);
  }
  return value;
}

Matrix RandomState::rand(std::size_t rows, std::size_t cols) {
  Matrix out({rows, cols});
  fill_rand(out);
  return out;
}

Matrix RandomState::randn(std::size_t rows, std::size_t cols) {
  Matrix out({rows, cols});
  fill_randn(out);
  return out;
}

Matrix RandomState::normal(double loc, double scale, std::size_t rows, std::size_t cols) {
  Matrix out({rows, cols});
  for (double& v : out.storage()) v = normal(loc, scale);
  return out;
}

Matrix RandomState::uniform(double low, double high, std::size_t rows, std::size_t cols) {
  Matrix out({rows, cols});
  for (double& v : out.storage()) v = uniform(low, high);
  return out;
}

void RandomState::fill_rand(Matrix& out) {
  for (double& v : out.storage()) v = random_sample();
}

void RandomState::fill_randn(Matrix& out) {
  for (double& v : out.storage()) v = standard_normal();
}

std::vector<std::size_t> RandomState::permutation(std::size_t n) {
  std::vector<std::size_t> items(n);
  std::iota(items.begin(), items.end(), std::size_t{0});
  shuffle(std::span<std::size_t>(items));
  return items;
}

std::vector<double> RandomState::state_numbers() const {
  std::ostringstream text;
  text << engine_;
  std::vector<double> numbers;
  std::istringstream in(text.str());
  for (std::uint64_t word; in >> word;) numbers.push_back(static_cast<double>(word));
  numbers.push_back(has_gauss_ ? 1.0 : 0.0);
  numbers.push_back(gauss_);
  return numbers;
}

RandomState RandomState::from_state_numbers(std::span<const double> numbers) {
  constexpr std::size_t words = std::mt19937::state_size;
  if (numbers.size() != words + 3) {
    throw InputError("random state: " + std::to_string(numbers.size()) + " numbers, expected " +
                     std::to_string(words + 3));
  }
  std::ostringstream text;
  for (std::size_t k = 0; k <= words; ++k) {
    const double v = numbers[k];
    const double limit = k < words ? 4294967295.0 : static_cast<double>(words);
    if (!(v >= 0.0 && v <= limit) || v != std::floor(v)) {
      throw InputError("random state: number " + std::to_string(k) + " is not a whole number in [0, " +
                       std::to_string(static_cast<std::uint64_t>(limit)) + "]");
    }
    text << (k ? " " : "") << static_cast<std::uint64_t>(v);
  }
  const double has = numbers[words + 1];
  if (has != 0.0 && has != 1.0) throw InputError("random state: the spare-Gaussian flag is not 0 or 1");
  if (!std::isfinite(numbers[words + 2])) throw InputError("random state: the spare Gaussian value is not finite");
  RandomState state(0);
  std::istringstream in(text.str());
  in >> state.engine_;
  if (in.fail()) throw InputError("random state: the MT19937 words could not be read");
  state.has_gauss_ = has == 1.0;
  state.gauss_ = numbers[words + 2];
  return state;
}

}  // namespace xgrad
