// The cheap models that the mixer (lossless/mixer.h) sets beside the LLM: each looks at the tokens
// coded so far in one stream (and the context before them) and names the tokens it expects next.
// Both ends feed them the same tokens in the same order, and they hold integers only, so they make
// the same predictions everywhere.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace llmz::detail {

// The tokens of one stream so far, with hashes of their last few tokens: what both models read.
class TokenHistory {
 public:
  void push(uint32_t token) { tokens_.push_back(token); }
  uint32_t size() const { return uint32_t(tokens_.size()); }
  uint32_t operator[](uint32_t i) const { return tokens_[i]; }
  // Hash of the last `order` tokens (order <= size()), a different function for each order.
  uint64_t suffix_hash(uint32_t order) const;

 private:
  std::vector<uint32_t> tokens_;
};

// Hash tables have a power-of-two number of slots, about twice the tokens they will see.
uint32_t table_bits_for(uint32_t tokens);

// The longest earlier occurrence of the latest tokens predicts the token that followed it.
class MatchModel {
 public:
  static constexpr uint32_t kMinLength = 4;  // tokens a match must span before it predicts

  explicit MatchModel(uint32_t table_bits) : bits_(table_bits), last_(size_t(1) << table_bits, 0) {}
  // After history gained a token: extend the current match or look for a new one.
  void update(const TokenHistory& h);
  bool predicts() const { return length_ > 0; }
  uint32_t predicted(const TokenHistory& h) const { return h[next_]; }
  uint32_t next() const { return next_; }  // history index of the predicted token
  uint32_t length() const { return length_; }

 private:
  uint32_t bits_;
  std::vector<uint32_t> last_;  // suffix hash -> history index after the latest such suffix (0: none)
  uint32_t next_ = 0;           // history index of the predicted token
  uint32_t length_ = 0;         // tokens matched before it
};

// Counts of which tokens followed each context of `order` tokens (hashed, four tokens kept per context).
class NgramModel {
 public:
  static constexpr uint32_t kWays = 4;
  struct Slot {
    uint32_t check = 0;  // high hash bits of the context it holds (0: empty)
    uint32_t tokens[kWays] = {};
    uint16_t counts[kWays] = {};
  };

  NgramModel(uint32_t order, uint32_t table_bits) : order_(order), bits_(table_bits), slots_(size_t(1) << table_bits) {}
  uint32_t order() const { return order_; }
  // The current context's slot, or nullptr when it has not been seen (or history is too short).
  const Slot* lookup(const TokenHistory& h) const;
  // Counts `token` after the current context; call before pushing it to history.
  void update(const TokenHistory& h, uint32_t token);

 private:
  Slot* find(uint64_t hash, uint32_t& check);
  uint32_t order_, bits_;
  std::vector<Slot> slots_;
};

// Guesses the tokens a decoder is about to learn, so that it can evaluate them in one call beside the
// token it knows (draft and verify, lossless/token_streams.cpp): what followed the latest earlier
// occurrence of the recent tokens, continued periodically where that runs into the present (a run of
// one character). Speed only: a wrong guess costs evaluation time, never a different output. A call
// costs more with every token it holds, so the number of guesses adapts: it doubles while all prove
// right (twice the number that was guessed) and falls back to the number that did after a miss
// (at least one).
class MatchDrafter {
 public:
  static constexpr uint32_t kMaxGuesses = 16;
  // Tokens a match must span before it guesses: shorter ones (field names, common phrases) break
  // off too soon to pay for the longer calls.
  static constexpr uint32_t kMinMatch = 16;
  explicit MatchDrafter(uint32_t expected_tokens) : match_(table_bits_for(expected_tokens)) {}
  // The next token, as it becomes known.
  void push(uint32_t token);
  // Up to `max` guesses of the next tokens (none without a match of kMinMatch tokens).
  void draft(uint32_t max, std::vector<uint32_t>& out);

 private:
  TokenHistory history_;
  MatchModel match_;
  std::vector<uint32_t> pending_;  // the last guesses, checked as their tokens arrive
  uint32_t right_ = 0;             // of them, proved right so far
  uint32_t length_ = 1;
};

}  // namespace llmz::detail
