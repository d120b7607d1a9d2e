// Limits and derived sizes shared by the compressor and the decompressor.
#pragma once
#include <cstdint>

namespace llmz {

inline constexpr uint32_t kMinChunkTokens = 16;
inline constexpr uint32_t kMaxStreams = 256;

// Cache cells one sequence needs: the prefix plus the file's longest chunk. The numbers do not depend
// on it: llama.cpp attends over the used cells rounded up to 256, never more than the cache holds, and
// the evaluator rounds every cache up to a multiple of 256.
inline uint32_t slot_capacity(uint32_t prefix_tokens, uint32_t longest_chunk) { return prefix_tokens + longest_chunk; }

}  // namespace llmz
