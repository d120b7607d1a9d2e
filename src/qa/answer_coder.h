// Codes the oracle's yes/no answers under the SLM's own P(yes), mixed with a fair coin.
//
// The mixture is a Bayesian one over the whole answer sequence: weight on "the SLM is right" and on
// "answers are fair coin flips", each updated by how well it predicted. So N answers never cost
// more than N + 1 bits (plus the coder's last byte), however badly the SLM guesses, and cost about
// the SLM's cross-entropy when it guesses well. Integer arithmetic only: both ends agree exactly.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "coding/range_coder.h"
#include "llmz/qa.h"

namespace llmz::qa {

// The SLM's P(yes) in units of 2^-16, in [1, 2^16 - 1], from its scores for "Yes" and "No".
uint32_t yes_frequency(float yes_logit, float no_logit);

class AnswerCoder {
 public:
  AnswerCoder();                                           // encoding
  explicit AnswerCoder(std::span<const uint8_t> payload);  // decoding

  // The mixture's P(yes) for the next answer, given the SLM's.
  uint32_t mixed_yes(uint32_t slm_yes) const;
  void encode(bool yes, uint32_t slm_yes);
  bool decode(uint32_t slm_yes);
  std::vector<uint8_t> finish() { return encoder_->finish(); }

  double cost_bits() const { return cost_bits_; }  // information content of the answers so far
  bool overran() const { return decoder_ && decoder_->overrun() > 8; }

 private:
  void update(bool yes, uint32_t slm_yes);
  uint64_t w_slm_ = uint64_t(1) << 46, w_coin_ = uint64_t(1) << 46;
  double cost_bits_ = 0;
  std::optional<RangeEncoder> encoder_;
  std::optional<RangeDecoder> decoder_;
};

}  // namespace llmz::qa
