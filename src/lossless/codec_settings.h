// Limits and derived sizes shared by the compressor and the decompressor.
#pragma once
#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <span>

#include "coding/container.h"
#include "llama.h"
#include "llmz/llmz.h"

namespace llmz {

inline constexpr uint32_t kMinWindowTokens = 16;
inline constexpr uint32_t kMaxStreams = 256;
inline constexpr uint32_t kMaxZstdChunk = 1u << 24;  // bytes per zstd chunk the planner makes
inline constexpr int kZstdWindowLogMax = 24;         // zstd level 19 never uses a larger window

// Cache cells one sequence needs: the prefix plus the longest window in the file. The numbers do not depend
// on it: llama.cpp attends over the used cells rounded up to 256, never more than the cache holds, and
// the evaluator rounds every cache up to a multiple of 256.
inline uint32_t slot_capacity(uint32_t prefix_tokens, uint32_t longest_window) {
  return prefix_tokens + longest_window;
}

// A window plus the prefix must fit the model's training context (checked by both ends).
inline bool window_fits(uint32_t prefix_tokens, uint32_t window_tokens, int32_t n_ctx_train) {
  return uint64_t(prefix_tokens) + window_tokens <= uint64_t(std::max(n_ctx_train, 0));
}

// XXH3-64 of the prefix's token ids, as the header records it.
inline uint64_t prefix_hash(std::span<const llama_token> prefix) {
  return XXH3_64bits(prefix.data(), prefix.size() * sizeof(llama_token));
}

// The header entries for a model's adapters: what the encoder writes and the decoder compares.
inline std::vector<AdapterRef> adapter_refs(const std::vector<AdapterInfo>& adapters) {
  std::vector<AdapterRef> out;
  for (const auto& a : adapters) out.push_back({fingerprint_from_hex(a.fingerprint), a.name, a.scale});
  return out;
}

// The other way round: what a file's adapter entries say, as FileInfo reports it.
inline std::vector<AdapterInfo> adapter_infos(const std::vector<AdapterRef>& refs) {
  std::vector<AdapterInfo> out;
  for (const auto& a : refs) out.push_back({a.name, to_hex(a.fingerprint), a.scale});
  return out;
}

}  // namespace llmz
