// Reading .llmz files of versions 1 to 4, from before the frame (docs/FORMAT.md, "Versions 1 to 4"):
// one fixed header whose fields the version and the mode switch on.
#include <xxhash.h>

#include <algorithm>

#include "coding/container_fields.h"
#include "common/bytes.h"
#include "common/error.h"

namespace llmz::detail {

Header read_legacy_header(std::span<const uint8_t> file, size_t& offset) {
  ByteReader r(file);
  r.bytes(kMagic.size());
  const uint8_t version = r.u8();  // 1 to 4, checked by read_header
  const uint8_t mode = r.u8();     // 0 lossless, 1 lossy; a damaged 0/1 is caught by the header checksum
  if (mode > 1)
    fail(ErrorCode::unsupported, "unsupported llmz mode " + std::to_string(mode) + " (made by a newer llmz?)");

  Header h;
  h.version = version;
  auto fp = r.bytes(16);
  std::copy(fp.begin(), fp.end(), h.model_fingerprint.begin());
  h.model_name = r.string(kMaxNameLength);
  h.tokenizer_hash = r.u64();
  h.n_vocab = r.varint32();
  read_coding(r, h);
  h.compute = r.string(1024);
  h.original_size = r.varint();
  h.input_checksum = r.u64();
  if (version >= 2) h.adapters = read_adapters(r);
  if (version >= 3) {
    if (h.adapters.size() != 1) fail(ErrorCode::corrupt, "file is damaged (routing)");
    h.route = read_route(r, version >= 4 ? RouteMode::prompt_profile : RouteMode::best);
  }
  if (mode == 1) h.lossy = read_lossy(r);
  h.chunks = read_chunks(r, file.size());
  size_t checked = r.position();
  uint32_t expected = r.u32();
  if (expected != uint32_t(XXH3_64bits(file.data(), checked)))
    fail(ErrorCode::corrupt, "file header is damaged (checksum mismatch)");
  offset = r.position();
  return h;
}

}  // namespace llmz::detail
