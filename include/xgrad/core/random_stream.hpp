/// @file
/// RandomStream: the random numbers one purpose (e.g. dropout masks) draws from, with a
/// policy for where each forward pass starts in the stream.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstdint>
#include <optional>

#include <xgrad/numpy/random.hpp>

namespace xgrad {

/// How a random stream behaves from one training pass to the next.
enum class MaskPolicy {
  fresh,   ///< each pass continues the stream: new masks every step (real training)
  replay,  ///< each pass restarts from the seed: the same masks every step (the course notebook)
};

/// Where a random node (dropout) draws from: a numpy RandomState and a MaskPolicy. Owned by
/// a Graph (Graph::random_stream) or by the caller; each node that draws names its stream
/// (Node::random_stream) so that a gradient checker can pin it.
class RandomStream {
 public:
  /// A stream seeded like `np.random.seed(seed)`.
  RandomStream(std::uint64_t seed, MaskPolicy policy);

  /// Called by Graph::forward(train) once per pass, before any node draws. Under replay (or
  /// while pinned) it restores the pinned state; under fresh it does nothing.
  void begin_pass();

  /// The generator the stream's nodes draw from.
  RandomState& state() { return state_; }
  /// fresh or replay, as constructed.
  MaskPolicy policy() const { return policy_; }

  /// Pin: from now on every pass starts from the same state (the replay seed, or else the
  /// stream's current state), so a function of
  /// the parameters stays fixed while a gradient checker perturbs them. Restore ends the pin
  /// and puts back the state and pin there were when the Pin was taken.
  class Pin {
   public:
    /// Pins `stream` until this Pin is destroyed.
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
