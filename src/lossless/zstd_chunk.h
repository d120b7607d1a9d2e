// The zstd chunks of a .llmz file: binary data, and text that zstd codes smaller than the model.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace llmz {

// Appends the decoded chunk (chunk number index, size bytes by its header) to out. Throws
// ErrorCode::corrupt unless the payload is one zstd frame of exactly that size with a window of at
// most 2^kZstdWindowLogMax; never allocates more than twice what the frame really delivers.
void append_zstd_chunk(std::vector<uint8_t>& out, std::span<const uint8_t> payload, uint32_t size, size_t index);

}  // namespace llmz
