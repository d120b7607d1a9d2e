// Range coder with 64-bit state (a 64-bit widening of the LZMA carry-propagating coder).
// Symbol frequencies are given as a cumulative table whose total is exactly 2^bits (bits <= 31),
// so the scale step is a shift, not a division. The range is kept above 2^56, so the loss from
// integer truncation is below 2^-25 per symbol.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace llmz {

class RangeEncoder {
 public:
  // Codes the symbol occupying [cum, cum + freq) of a table summing to 2^bits; freq >= 1.
  void encode(uint32_t cum, uint32_t freq, uint32_t bits);
  // Ends the stream with the fewest bytes that identify the final interval; trailing zero bytes are
  // dropped because the decoder reads zeros past the end.
  std::vector<uint8_t> finish();

 private:
  void shift_low();
  unsigned __int128 low_ = 0;  // 64-bit window plus carry
  uint64_t range_ = UINT64_MAX;
  uint8_t cache_ = 0;
  uint64_t pending_ff_ = 0;
  bool first_ = true;  // the cache starts with a phantom zero byte that is never written
  std::vector<uint8_t> out_;
};

class RangeDecoder {
 public:
  explicit RangeDecoder(std::span<const uint8_t> in);
  // Returns the value in [0, 2^bits) that selects the next symbol; call consume() with that symbol next.
  uint32_t target(uint32_t bits);
  void consume(uint32_t cum, uint32_t freq);
  // Bytes read beyond the end of the input. A stream that belongs to these tables needs at most 8
  // (its dropped trailing zeros aside); far more means the payload does not match the header.
  size_t overrun() const { return pos_ > in_.size() ? pos_ - in_.size() : 0; }

 private:
  uint8_t next_byte() { return pos_ < in_.size() ? in_[pos_++] : (pos_++, 0); }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  uint64_t code_ = 0;
  uint64_t range_ = UINT64_MAX;
  uint64_t r_ = 0;  // range / 2^bits from the last target() call
};

}  // namespace llmz
