// How an input is cut into chunks: text the tokenizer reproduces byte for byte becomes token chunks
// for the model; anything else (binary data, invalid UTF-8, NUL bytes, text whose tokens do not spell
// it back exactly) becomes classical chunks, so every input round-trips.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "coding/container.h"
#include "llama.h"
#include "model/loaded_model.h"

namespace llmz {

struct PlannedChunk {
  ChunkKind kind = ChunkKind::zstd;
  uint64_t offset = 0;  // into the input
  uint32_t size = 0;
  std::vector<llama_token> tokens;  // llm chunks only
};

// Each run of text becomes up to `streams` chunks of balanced length (fewer when the run is short,
// so that no chunk is much shorter than a window of `window_tokens`).
std::vector<PlannedChunk> plan_chunks(const detail::LoadedModel& model, std::span<const uint8_t> input,
                                      uint32_t window_tokens, uint32_t streams);

// Length of the longest prefix of `bytes` that is valid UTF-8 without NUL bytes.
size_t text_prefix_length(std::span<const uint8_t> bytes);

}  // namespace llmz
