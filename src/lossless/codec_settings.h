// Limits and derived sizes shared by the compressor and the decompressor.
#pragma once
#include <cstdint>

namespace llmz {

inline constexpr uint32_t kMinChunkTokens = 16;
inline constexpr uint32_t kMaxStreams = 256;

// Cache cells one sequence needs: the prefix plus a whole chunk. Both ends derive it from the header
// alone, so the decoder's caches have the same shape as the encoder's.
inline uint32_t slot_capacity(uint32_t prefix_tokens, uint32_t chunk_tokens) { return prefix_tokens + chunk_tokens; }

}  // namespace llmz
