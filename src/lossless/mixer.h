// Online mixing (docs/FORMAT.md, "Mixing"): the LLM's logits plus biases for the tokens that cheap
// context models expect (a match model, token n-grams of orders 1 to 4) and a calibration of its top
// token. Each bias is learned as the stream is coded, from the tokens both ends already know, with
// integer arithmetic only: the encoder and the decoder build identical tables on any machine.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "coding/cdf.h"
#include "llmz/llmz.h"
#include "lossless/context_models.h"

namespace llmz::detail {

class Mixer {
 public:
  // `parts`: MixParts, which models mix. `tokens`: how many tokens the stream will hold, context included (sizes the
  // hash tables).
  Mixer(uint8_t parts, uint32_t tokens);
  // The context before the stream: it fills the models without being coded.
  void seed(std::span<const int32_t> context);
  // The table for the next token.
  void build_cdf(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf);
  // Learns from the token just coded under that table, then adds it to the history.
  void update(uint32_t token, std::span<const uint32_t> cdf, uint32_t bits);

 private:
  static constexpr uint32_t kOrders = 4;
  static constexpr uint32_t kMaxFeatures = 1 + kOrders * NgramModel::kWays + 1;
  struct Weight {
    int32_t bias = 0;  // fixed point, like logits
    uint16_t seen = 0;
  };
  struct Candidate {
    uint32_t token = 0;
    uint32_t n_features = 0;
    std::array<uint32_t, kMaxFeatures> features{};
  };
  void add_feature(uint32_t token, uint32_t weight_index);
  void push(uint32_t token);

  uint8_t parts_;
  TokenHistory history_;
  MatchModel match_;
  std::vector<NgramModel> ngrams_;
  std::vector<Weight> weights_;
  std::vector<Candidate> candidates_;  // of the table last built
  std::vector<TokenBias> biases_;
  LogitScan scan_;
};

}  // namespace llmz::detail
