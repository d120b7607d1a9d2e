// A compressed input before it becomes a file: its header and one payload per chunk. The modes above
// the codec (lossy, routing) compare candidates by their coded size and add their own records to the
// chosen one's header here, so a finished file is never parsed and patched.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "coding/container.h"
#include "llmz/llmz.h"

namespace llmz::detail {

struct Coded {
  Header header;
  std::vector<std::vector<uint8_t>> payloads;

  uint64_t payload_bytes() const;     // the coded chunks, without the header
  std::vector<uint8_t> file() const;  // the .llmz file: header, then the payloads
};

// A header with what the model decides: its identity, this process's compute id, the adapters applied.
Header model_header(const Model& model);

Coded compress_coded(const Model& model, std::span<const uint8_t> input, const CompressOptions& options);
// Decodes chunks whose header was read elsewhere (a file's, or an archive entry's).
std::vector<uint8_t> decompress_parts(const Model& model, const Header& header,
                                      std::span<const std::span<const uint8_t>> payloads,
                                      const DecompressOptions& options);

}  // namespace llmz::detail
