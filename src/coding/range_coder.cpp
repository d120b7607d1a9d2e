#include "coding/range_coder.h"

#include <cassert>

namespace llmz {

namespace {
constexpr uint64_t kTop = uint64_t(1) << 56;  // renormalise below this range
}

void RangeEncoder::encode(uint32_t cum, uint32_t freq, uint32_t bits) {
  uint64_t r = range_ >> bits;
  low_ += (unsigned __int128)r * cum;
  range_ = r * freq;
  while (range_ < kTop) {
    range_ <<= 8;
    shift_low();
  }
}

void RangeEncoder::shift_low() {
  uint64_t window = uint64_t(low_);
  uint8_t carry = uint8_t(low_ >> 64);
  if (window < 0xFF00000000000000ull || carry) {
    if (!first_) out_.push_back(uint8_t(cache_ + carry));
    assert(!(first_ && carry));  // the coded value always stays below 1.0
    first_ = false;
    for (; pending_ff_ > 0; pending_ff_--) out_.push_back(uint8_t(0xFF + carry));
    cache_ = uint8_t(window >> 56);
  } else {
    pending_ff_++;
  }
  low_ = (unsigned __int128)(window << 8);
}

std::vector<uint8_t> RangeEncoder::finish() {
  // Shortest value V in [low, low + range) whose low (64 - 8k) bits are zero.
  unsigned __int128 end = low_ + range_;
  int k = 1;
  for (; k < 8; k++) {
    unsigned __int128 mask = ((unsigned __int128)1 << (64 - 8 * k)) - 1;
    unsigned __int128 v = (low_ + mask) & ~mask;
    if (v < end) {
      low_ = v;
      break;
    }
  }
  for (int i = 0; i <= k; i++) shift_low();
  while (!out_.empty() && out_.back() == 0) out_.pop_back();
  return std::move(out_);
}

RangeDecoder::RangeDecoder(std::span<const uint8_t> in) : in_(in) {
  for (int i = 0; i < 8; i++) code_ = (code_ << 8) | next_byte();
}

uint32_t RangeDecoder::target(uint32_t bits) {
  r_ = range_ >> bits;
  uint64_t v = code_ / r_;
  uint64_t limit = (uint64_t(1) << bits) - 1;
  return uint32_t(v > limit ? limit : v);  // only damaged input gets here; checksums report it
}

void RangeDecoder::consume(uint32_t cum, uint32_t freq) {
  code_ -= r_ * cum;
  range_ = r_ * freq;
  while (range_ < kTop) {
    code_ = (code_ << 8) | next_byte();
    range_ <<= 8;
  }
}

}  // namespace llmz
