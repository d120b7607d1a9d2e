#include "qa/answer_coder.h"

#include <algorithm>
#include <cmath>

#include "coding/cdf.h"

namespace llmz::qa {

namespace {
constexpr uint32_t kOne = uint32_t(1) << kAnswerBits;
constexpr uint64_t kWeightLimit = uint64_t(1) << 47;
}  // namespace

uint32_t yes_frequency(float yes_logit, float no_logit) {
  const float logits[2] = {yes_logit, no_logit};
  uint32_t cdf[3];
  logits_to_cdf(logits, kAnswerBits, cdf);
  return cdf[1];
}

AnswerCoder::AnswerCoder() : encoder_(std::in_place) {}

AnswerCoder::AnswerCoder(std::span<const uint8_t> payload) : decoder_(std::in_place, payload) {}

uint32_t AnswerCoder::mixed_yes(uint32_t slm_yes) const {
  // Weights stay below 2^47 and frequencies below 2^16, so nothing overflows.
  const uint64_t p = (w_slm_ * slm_yes + w_coin_ * (kOne / 2)) / (w_slm_ + w_coin_);
  return uint32_t(std::clamp<uint64_t>(p, 1, kOne - 1));
}

void AnswerCoder::update(bool yes, uint32_t slm_yes) {
  const uint32_t p = mixed_yes(slm_yes);
  cost_bits_ -= std::log2(double(yes ? p : kOne - p) / kOne);
  w_slm_ *= yes ? slm_yes : kOne - slm_yes;
  w_coin_ *= kOne / 2;
  // Rescale into [2^46, 2^47) for the larger weight; the smaller one keeps its ratio (it cannot fall
  // below 2^46 / 2^kMaxQuestions: each answer moves the ratio by at most a factor of 2^16 / 2^15 for
  // the coin, and the SLM's weight may fall to 0 only if it was certain and wrong).
  while (std::max(w_slm_, w_coin_) >= kWeightLimit) {
    w_slm_ >>= 1;
    w_coin_ >>= 1;
  }
  while (std::max(w_slm_, w_coin_) < kWeightLimit / 2) {
    w_slm_ <<= 1;
    w_coin_ <<= 1;
  }
}

void AnswerCoder::encode(bool yes, uint32_t slm_yes) {
  const uint32_t p = mixed_yes(slm_yes);
  // Symbol 0 = yes occupies [0, p), symbol 1 = no occupies [p, 2^16).
  if (yes)
    encoder_->encode(0, p, kAnswerBits);
  else
    encoder_->encode(p, kOne - p, kAnswerBits);
  update(yes, slm_yes);
}

bool AnswerCoder::decode(uint32_t slm_yes) {
  const uint32_t p = mixed_yes(slm_yes);
  const bool yes = decoder_->target(kAnswerBits) < p;
  if (yes)
    decoder_->consume(0, p);
  else
    decoder_->consume(p, kOne - p);
  update(yes, slm_yes);
  return yes;
}

}  // namespace llmz::qa
