// Lock-step evaluation of many independent token sequences in one llama.cpp context, configured so that
// every schedule gives the same logits as one-token-at-a-time evaluation of each sequence (design §4):
// flash attention on, one KV cache per sequence, physical batches of at most 32 tokens, one thread for
// one-token calls on an F16 cache. The encoder and the decoder of a file both go through this class.
// The KV cache is stored as Q8_0 where the model's head sizes allow (multiples of 32): llama.cpp's CPU
// flash-attention kernel, which dominates beyond a few hundred tokens of context, runs 1.8-2.7x faster
// on it than on F16. Other models, and files from before, use F16.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llama.h"
#include "model/loaded_model.h"
#include "model/thread_choice.h"

namespace llmz::detail {

inline constexpr uint32_t kMicroBatch = 32;  // tokens per physical batch; must stay below 64 (design §4)

enum class KvCache { f16, q8_0 };  // how keys and values are stored; changes the numbers

class Evaluator {
 public:
  // slots: sequences evaluated side by side; slot_capacity: most tokens one sequence may hold.
  // kv: the cache a file names (decoding); none = the model's own choice, kv_cache_for(model).
  Evaluator(const LoadedModel& model, uint32_t slots, uint32_t slot_capacity, std::optional<KvCache> kv = {});
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  uint32_t slots() const { return slots_; }
  uint32_t max_batch() const { return max_batch_; }
  uint32_t n_vocab() const { return n_vocab_; }
  // Threads the last call used (its logits may be post-processed on as many: no more, or a busy
  // machine would see the other thread spin-waiting after the work, see ThreadChoice).
  int threads() const { return last_threads_; }

  // Queue a token of a slot's sequence at position pos; with want_logits, its next-token logits are kept.
  void add(uint32_t slot, llama_token token, int32_t pos, bool want_logits);
  // Evaluates what was queued; afterwards logits(k) is the k-th requested row, in order of add().
  void run();
  std::span<const float> logits(uint32_t k) const { return {rows_[k], n_vocab_}; }
  // Forget a slot's sequence so that it can start another.
  void clear(uint32_t slot) { clear_from(slot, 0); }
  // Forget a slot's tokens from position pos on (from 0 on, any model; from later on, see rewinds()).
  void clear_from(uint32_t slot, int32_t pos);
  // Make slot to hold a copy of slot from's sequence (the cache is copied when the next run() starts):
  // cheaper than evaluating a shared prompt again, and the same keys and values (design §4).
  void copy(uint32_t from, uint32_t to);
  // Whether a sequence can forget its latest tokens: not in recurrent or hybrid models, whose state
  // has no positions.
  bool rewinds() const;
  // Forget count tokens from position from on, and move the later ones back by count positions (their
  // keys are rotated to the new positions where the next run() starts).
  void drop(uint32_t slot, int32_t from, int32_t count);

  // The settings that change the numbers, for the file header: llama.cpp release, CPU features, options.
  static std::string compute_signature(KvCache kv = KvCache::q8_0);
  // What file headers record of a signature: its llama.cpp release and a 64-bit hash of the whole
  // (the CPU feature list alone is ~200 bytes, too much for small files). Given an id, returns it:
  // files from before held the whole signature, and compare through this too.
  static std::string compute_id(const std::string& signature);
  static std::string compute_id(KvCache kv = KvCache::q8_0) { return compute_id(compute_signature(kv)); }
  // The KV cache under which this build computes what a file's compute id names; none when the id is
  // another build's (decoding is then tried with the model's choice, and the checksums tell).
  static std::optional<KvCache> kv_cache_named(const std::string& file_compute);
  // Q8_0 when every attention head's key and value sizes are multiples of 32 (its block), else F16.
  static KvCache kv_cache_for(const LoadedModel& model);

 private:
  const LoadedModel& model_;
  llama_context* ctx_ = nullptr;
  llama_batch batch_{};
  uint32_t slots_, max_batch_, n_vocab_;
  std::vector<int32_t> output_rows_;  // batch positions whose logits were requested
  std::vector<const float*> rows_;    // their logits after run()
  // Thread counts are chosen per call, apart for batches and for one-token calls (whose costs differ;
  // the latter fixed at one thread on an F16 cache).
  ThreadChoice batch_choice_, token_choice_;
  int one_threads_ = 1, batch_threads_ = 1;  // what llama.cpp is set to use for each
  int last_threads_ = 1;                     // what the last call used
};

}  // namespace llmz::detail
