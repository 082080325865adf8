#include <xgrad/core/random_stream.hpp>

namespace xgrad {

RandomStream::RandomStream(std::uint64_t seed, MaskPolicy policy)
    : state_(seed), policy_(policy) {
  if (policy_ == MaskPolicy::replay) pinned_ = state_;
}

void RandomStream::begin_pass() {
  if (pinned_) state_ = *pinned_;
}

RandomStream::Pin::Pin(RandomStream& stream)
    : stream_(stream), saved_state_(stream.state_), saved_pinned_(stream.pinned_) {
  if (!stream_.pinned_) stream_.pinned_ = stream_.state_;
}

RandomStream::Pin::~Pin() {
  stream_.state_ = saved_state_;
  stream_.pinned_ = saved_pinned_;
}

}  // namespace xgrad
