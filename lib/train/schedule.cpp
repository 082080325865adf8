#include <xgrad/train/schedule.hpp>

#include <charconv>
#include <cmath>
#include <numbers>
#include <vector>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad {

namespace {

void require_interval(std::size_t interval, const char* what) {
  if (interval == 0) throw InputError(std::string("schedule: the ") + what + " must be at least 1");
}

void require_factor(double factor, const char* kind) {
  if (!(factor > 0.0 && factor <= 1.0)) {
    throw InputError(std::string("schedule: ") + kind + "'s factor must be in (0, 1], got " + format_double(factor));
  }
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = text.find(':', start);
    fields.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) return fields;
    start = colon + 1;
  }
}

double parse_number(const std::string& text, const std::string& field) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size() || !std::isfinite(value)) {
    throw InputError("schedule '" + text + "': '" + field + "' is not a finite number");
  }
  return value;
}

std::size_t parse_count(const std::string& text, const std::string& field) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size()) {
    throw InputError("schedule '" + text + "': '" + field + "' is not a whole number");
  }
  return value;
}

}  // namespace

LearningRateSchedule LearningRateSchedule::inverse_time(double rate, std::size_t interval) {
  if (!(rate >= 0.0) || !std::isfinite(rate)) {
    throw InputError("schedule: inverse_time's rate must be a finite number >= 0, got " + format_double(rate));
  }
  require_interval(interval, "interval");
  return {Kind::inverse_time, rate, interval};
}

LearningRateSchedule LearningRateSchedule::inverse_time(const LearningRateDecay& decay) {
  if (decay.rate == 0.0) return constant();
  return inverse_time(decay.rate, decay.interval);
}

LearningRateSchedule LearningRateSchedule::step(double factor, std::size_t interval) {
  require_factor(factor, "step");
  require_interval(interval, "interval");
  return {Kind::step, factor, interval};
}

LearningRateSchedule LearningRateSchedule::exponential(double factor, std::size_t interval) {
  require_factor(factor, "exponential");
  require_interval(interval, "interval");
  return {Kind::exponential, factor, interval};
}

LearningRateSchedule LearningRateSchedule::cosine(std::size_t period, double final_fraction) {
  require_interval(period, "cosine period");
  if (!(final_fraction >= 0.0 && final_fraction <= 1.0)) {
    throw InputError("schedule: cosine's final fraction must be in [0, 1], got " + format_double(final_fraction));
  }
  return {Kind::cosine, final_fraction, period};
}

double LearningRateSchedule::at(double initial, std::size_t epoch) const {
  switch (kind_) {
    case Kind::constant: return initial;
    case Kind::inverse_time: return initial / (1.0 + number_ * static_cast<double>(epoch / interval_));
    case Kind::step: return initial * std::pow(number_, static_cast<double>(epoch / interval_));
    case Kind::exponential:
      return initial * std::pow(number_, static_cast<double>(epoch) / static_cast<double>(interval_));
    case Kind::cosine: {
      const double progress =
          static_cast<double>(std::min(epoch, interval_)) / static_cast<double>(interval_);
      return initial * (number_ + (1.0 - number_) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0);
    }
  }
  return initial;
}

std::string LearningRateSchedule::text() const {
  switch (kind_) {
    case Kind::constant: return "constant";
    case Kind::inverse_time: return "inverse_time:" + format_double(number_) + ":" + std::to_string(interval_);
    case Kind::step: return "step:" + format_double(number_) + ":" + std::to_string(interval_);
    case Kind::exponential: return "exponential:" + format_double(number_) + ":" + std::to_string(interval_);
    case Kind::cosine: return "cosine:" + std::to_string(interval_) + ":" + format_double(number_);
  }
  return "constant";
}

std::string LearningRateSchedule::describe(const std::string& steps) const {
  switch (kind_) {
    case Kind::constant: return "constant";
    case Kind::inverse_time:
      return "inverse-time decay " + format_double(number_) + " every " + std::to_string(interval_) + " " + steps;
    case Kind::step:
      return "step decay x" + format_double(number_) + " every " + std::to_string(interval_) + " " + steps;
    case Kind::exponential:
      return "exponential decay x" + format_double(number_) + " per " + std::to_string(interval_) + " " + steps;
    case Kind::cosine:
      return "cosine decay over " + std::to_string(interval_) + " " + steps + " to " + format_double(number_) +
             " x lr";
  }
  return "constant";
}

LearningRateSchedule LearningRateSchedule::parse(const std::string& text) {
  const std::vector<std::string> f = split(text);
  const std::string& kind = f[0];
  auto need = [&](std::size_t least, std::size_t most, const char* form) {
    if (f.size() < least || f.size() > most) {
      throw InputError("schedule '" + text + "': " + kind + " takes the form " + form);
    }
  };
  try {
    if (kind == "constant") {
      need(1, 1, "constant");
      return constant();
    }
    if (kind == "inverse_time") {
      need(2, 3, "inverse_time:RATE[:INTERVAL]");
      return inverse_time(parse_number(text, f[1]), f.size() > 2 ? parse_count(text, f[2]) : 1);
    }
    if (kind == "step") {
      need(3, 3, "step:FACTOR:INTERVAL");
      return step(parse_number(text, f[1]), parse_count(text, f[2]));
    }
    if (kind == "exponential") {
      need(2, 3, "exponential:FACTOR[:INTERVAL]");
      return exponential(parse_number(text, f[1]), f.size() > 2 ? parse_count(text, f[2]) : 1);
    }
    if (kind == "cosine") {
      need(2, 3, "cosine:PERIOD[:FINAL_FRACTION]");
      return cosine(parse_count(text, f[1]), f.size() > 2 ? parse_number(text, f[2]) : 0.0);
    }
  } catch (const InputError& e) {
    const std::string message = e.what();
    if (message.rfind("schedule '", 0) == 0) throw;
    throw InputError("schedule '" + text + "': " + message.substr(message.find(": ") + 2));
  }
  throw InputError("schedule '" + text + "': unknown kind '" + kind +
                   "' (choose constant, inverse_time, step, exponential or cosine)");
}

}  // namespace xgrad
