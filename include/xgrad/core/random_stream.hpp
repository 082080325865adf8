// RandomStream: the random numbers one purpose (e.g. dropout masks) draws from, with a
// policy for where each forward pass starts in the stream.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstdint>
#include <optional>

#include <xgrad/numpy/random.hpp>

namespace xgrad {

enum class MaskPolicy {
  fresh,   // each pass continues the stream: new masks every step (real training)
  replay,  // each pass restarts from the seed: the same masks every step (the course notebook)
};

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, MaskPolicy policy);

  // Called by Graph::forward(train) once per pass, before any node draws. Under replay (or
  // while pinned) it restores the pinned state; under fresh it does nothing.
  void begin_pass();

  RandomState& state() { return state_; }
  MaskPolicy policy() const { return policy_; }

  // Pin: from now on every pass starts from the same state (the replay seed, or else the
  // stream's current state), so a function of
  // the parameters stays fixed while a gradient checker perturbs them. Restore ends the pin
  // and puts back the state and pin there were when the Pin was taken.
  class Pin {
   public:
    explicit Pin(RandomStream& stream);
    ~Pin();
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

   private:
    RandomStream& stream_;
    RandomState saved_state_;
    std::optional<RandomState> saved_pinned_;
  };

 private:
  RandomState state_;
  std::optional<RandomState> pinned_;
  MaskPolicy policy_;
};

}  // namespace xgrad
