// A .llmz file: the header (version, counts, strings), the payload walk, and every zstd chunk.
// Inputs are laid out as fuzz_input.h says, so crafted checksum-valid headers are covered too.
#include <cstdint>
#include <vector>

#include "coding/container.h"
#include "common/error.h"
#include "fuzz_input.h"
#include "lossless/zstd_chunk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto f = fuzz_file(data, size);
  if (!f) return 0;
  try {
    size_t offset = 0;
    const llmz::Header h = llmz::read_header(f->bytes, offset);
    const auto payloads = llmz::chunk_payloads(h, f->bytes, offset);
    std::vector<uint8_t> out;
    for (size_t i = 0; i < h.chunks.size(); i++)
      if (h.chunks[i].kind == llmz::ChunkKind::zstd) llmz::append_zstd_chunk(out, payloads[i], h.chunks[i].size, i);
  } catch (const llmz::Error&) {
  }
  return 0;
}
