// Deterministic text generation for one conversation at a time: greedy decoding and next-token
// logits, over the same Evaluator settings as the coder (design §4). Any machine that runs the same
// model and build with the same prompts gets the same text, which is what lets both ends of the QA
// protocol regenerate the questions instead of sending them.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "model/evaluator.h"
#include "model/loaded_model.h"

namespace llmz::detail {

class Generator {
 public:
  // capacity: the most tokens a conversation may hold (prompt plus reply); slots: conversations whose
  // caches are kept side by side, so that a caller switching between a few prompts (the QA protocol's
  // question, answer and revision prompts) only evaluates what each one added since its last turn.
  // kv: as for Evaluator (none = the model's own choice).
  static constexpr uint32_t kDefaultSlots = 3;
  // Slots of this capacity for writing this many replies side by side (see sample()): at least
  // kDefaultSlots; at most 10 (beyond about 8 replies, a call on a CPU core costs as much per token as
  // more calls do) and no more than ten 4096-token conversations hold (the cache grows with both).
  static uint32_t slots_side_by_side(size_t replies, uint32_t capacity);
  Generator(const LoadedModel& model, uint32_t capacity, uint32_t slots = kDefaultSlots,
            std::optional<KvCache> kv = {});

  const LoadedModel& model() const { return model_; }
  uint32_t capacity() const { return capacity_; }

  // Next-token logits after exactly these tokens. The longest prefix shared with a cached conversation
  // is not evaluated again (any split gives the same logits, design §4).
  std::span<const float> logits_after(std::span<const llama_token> tokens);

  // log2 P(continuation | context) in units of 2^-16: how likely the model finds a given reply. Read
  // from the coder's integer frequency tables (coding/cdf.h), so every machine gets the same value
  // and both ends of the QA protocol may choose by it.
  int64_t log2_likelihood(std::vector<llama_token> context, std::span<const llama_token> continuation);

  // Greedy reply to prompt: stops at an end-of-turn token, after max_tokens, when the conversation
  // is full, when a line repeats for the third time, when the last 48 tokens cycle with a period of
  // at most 16 tokens, or (single_line) at the first line break after some text. Returns the reply's
  // text. Greedy replies are deterministic, so a repeated request is answered from memory.
  std::string greedy(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line = false);
  // A sampled reply at the given temperature, with the same stopping rules. Tokens are drawn from the
  // coder's integer tables of the scaled logits with std::mt19937_64(seed), whose output the standard
  // fixes: every machine with the same logits draws the same reply, so both ends of the QA protocol
  // may sample. Repeated requests are answered from memory, like greedy ones.
  std::string sample(std::vector<llama_token> prompt, uint32_t max_tokens, float temperature, uint64_t seed);
  // The replies sample() gives with each of these seeds, written side by side: the prompt is evaluated
  // once and copied, then each call evaluates the next token of every reply (as many at a time as
  // there are slots). On CPU that takes about half the time of one reply after another, and the
  // schedule does not change the logits (design §4), so the replies are the same.
  std::vector<std::string> sample(const std::vector<llama_token>& prompt, uint32_t max_tokens, float temperature,
                                  std::span<const uint64_t> seeds);
  // Greedy replies to several prompts, written side by side in the same way: the replies greedy()
  // gives to each.
  std::vector<std::string> greedy(const std::vector<std::vector<llama_token>>& prompts, uint32_t max_tokens);
  // Sampled replies to several prompts, side by side: the reply sample() gives to each with this seed
  // (greedy ones at temperature 0).
  std::vector<std::string> sample(const std::vector<std::vector<llama_token>>& prompts, uint32_t max_tokens,
                                  float temperature, uint64_t seed);

 private:
  using Pick = std::function<llama_token(std::span<const float>)>;
  std::string generate(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line, const Pick& pick);
  // Replies to prompts, one per pick, at most one per slot, written side by side.
  std::vector<std::string> generate_side_by_side(const std::vector<const std::vector<llama_token>*>& prompts,
                                                 uint32_t max_tokens, std::vector<Pick> picks);
  // Evaluates tokens into the slot that shares most of them (see logits_after), passing over the slots
  // marked in taken; returns the slot.
  uint32_t evaluate(std::span<const llama_token> tokens, const std::vector<bool>& taken = {});
  // A request: prompt, max_tokens, single_line, temperature, seed (both 0 for a greedy reply).
  using ReplyKey = std::tuple<std::vector<llama_token>, uint32_t, bool, float, uint64_t>;
  // The key of a request; every temperature <= 0 is greedy, whatever the seed, so it has one key.
  static ReplyKey reply_key(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line, float temperature,
                            uint64_t seed);
  // How the key's reply draws each token: greedily, or sampled at its temperature with its seed.
  static Pick pick_for(const ReplyKey& key);
  // A reply from memory, else written and remembered (bounded: a long run asks ever new questions).
  std::string remembered(ReplyKey key);
  // Replies from memory, else written side by side (requests alike are written once); all keys hold
  // one max_tokens and no single_line.
  std::vector<std::string> remembered_side_by_side(const std::vector<ReplyKey>& keys);
  void remember(ReplyKey key, const std::string& reply);

  struct Slot {
    std::vector<llama_token> tokens;  // the tokens whose keys and values are in the slot's cache
    uint64_t last_used = 0;
  };
  uint32_t pick_slot(std::span<const llama_token> tokens, const std::vector<bool>& taken) const;

  const LoadedModel& model_;
  uint32_t capacity_;
  Evaluator evaluator_;
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
  std::map<ReplyKey, std::string> replies_;
};

// The highest-scoring token, the lowest id on ties.
llama_token argmax(std::span<const float> logits);

// True when a reply's last 48 tokens repeat a cycle of at most 16 tokens ("1111…", "A. B. C. D. A. B. …"):
// a small model caught in such a loop does not leave it before its token limit.
bool stuck_in_cycle(std::span<const llama_token> reply);
// True when the reply's last finished line (12+ non-blank characters) is its third copy.
bool stuck_in_loop(const std::string& reply);

}  // namespace llmz::detail
