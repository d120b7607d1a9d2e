// Limits and derived sizes shared by the compressor and the decompressor.
#pragma once
#include <cstdint>

namespace llmz {

inline constexpr uint32_t kMinWindowTokens = 16;
inline constexpr uint32_t kMaxStreams = 256;

// Cache cells one sequence needs: the prefix plus the longest window in the file. The numbers do not depend
// on it: llama.cpp attends over the used cells rounded up to 256, never more than the cache holds, and
// the evaluator rounds every cache up to a multiple of 256.
inline uint32_t slot_capacity(uint32_t prefix_tokens, uint32_t longest_window) { return prefix_tokens + longest_window; }

}  // namespace llmz
