// Codes token chunks under the model, many at once in lock-step. The encoder and the decoder run this
// same code: the only difference is whether a stream already knows its tokens (encoder) or learns each
// one from the range decoder (decoder). So both ends evaluate identical sequences and build identical
// frequency tables by construction.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "coding/range_coder.h"
#include "llama.h"
#include "lossless/context_models.h"
#include "lossless/mixer.h"
#include "model/evaluator.h"

namespace llmz {

class TokenStream {
 public:
  // `mix_parts`: the mixer's parts (MixParts), 0 for the LLM's distribution alone.
  static TokenStream for_encoding(std::vector<llama_token> tokens, uint8_t mix_parts);
  static TokenStream for_decoding(std::span<const uint8_t> payload, uint32_t n_tokens, uint8_t mix_parts);

  uint32_t size() const { return n_tokens_; }
  // Tokens whose values are known: all of them when encoding, those decoded so far when decoding.
  uint32_t known() const { return encoder_ ? n_tokens_ : uint32_t(tokens_.size()); }
  uint32_t coded() const { return coded_; }
  llama_token token(uint32_t i) const { return tokens_[i]; }
  // Called once before the first token: the context that precedes the stream.
  void start(std::span<const llama_token> prefix);
  // Codes the next token under the table made from the model's logits for it (`cdf`: scratch space).
  void code_next(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf);
  // Decoding: up to `max` guesses of the tokens after the known ones, to be evaluated with them
  // (draft and verify); none when encoding, which knows its tokens.
  void draft(uint32_t max, std::vector<uint32_t>& out);
  std::vector<uint8_t> finish_encoding() { return encoder_->finish(); }
  const std::vector<llama_token>& tokens() const { return tokens_; }
  // Decoding has read far past the payload: the file is damaged (checked between rounds).
  bool overran() const { return decoder_ && decoder_->overrun() > kMaxOverrun; }
  static constexpr size_t kMaxOverrun = 64;

 private:
  std::vector<llama_token> tokens_;
  uint32_t n_tokens_ = 0;
  uint32_t coded_ = 0;
  std::optional<RangeEncoder> encoder_;
  std::optional<RangeDecoder> decoder_;
  uint8_t mix_parts_ = 0;
  std::optional<detail::Mixer> mixer_;
  std::optional<detail::MatchDrafter> drafter_;
};

// How a stream longer than one window is coded: window 0 holds tokens [0, length); each later window
// starts afresh with the `overlap` tokens before it as context (known at both ends, not coded) and
// codes the next length - overlap tokens. Every window is a sequence that begins with the prefix.
struct WindowShape {
  uint32_t length = 0;
  uint32_t overlap = 0;
  bool sliding = false;  // carry the overlap in the cache, shifted, instead of evaluating it again
};

// Runs every stream to the end, up to evaluator.slots() of them side by side.
// progress(k) is called with the number of tokens coded so far across all streams.
void code_token_streams(detail::Evaluator& evaluator, std::span<const llama_token> prefix, WindowShape window,
                        uint32_t cdf_bits, std::vector<TokenStream>& streams,
                        const std::function<void(uint64_t)>& progress);

}  // namespace llmz
