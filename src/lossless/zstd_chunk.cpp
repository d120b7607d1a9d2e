#include "lossless/zstd_chunk.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <string>

#include "common/error.h"
#include "lossless/codec_settings.h"

namespace llmz {

// Appends a zstd chunk without trusting what its frame says: the output grows only as blocks really
// decode (a frame that claims 4 GB costs nothing until it delivers them, and at most twice what it
// delivered), the window is capped at what llmz's encoder (zstd level 19) ever uses, and not one
// byte more than the header's size is accepted.
void append_zstd_chunk(std::vector<uint8_t>& out, std::span<const uint8_t> payload, uint32_t size, size_t index) {
  const std::string damaged = "chunk " + std::to_string(index) + " is damaged (zstd)";
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) fail(ErrorCode::io, "zstd: out of memory");
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, kZstdWindowLogMax);
  ZSTD_inBuffer in{payload.data(), payload.size(), 0};
  const size_t start = out.size();
  for (size_t rc = 1; rc != 0;) {
    const size_t have = out.size() - start;
    // One byte beyond the declared size: a frame that fills it is too long.
    const size_t room = std::min<size_t>(size - std::min<size_t>(have, size), std::max<size_t>(have, 1 << 16)) + 1;
    out.resize(start + have + room);
    ZSTD_outBuffer o{out.data() + start + have, room, 0};
    rc = ZSTD_decompressStream(dctx.get(), &o, &in);
    out.resize(start + have + o.pos);
    if (ZSTD_isError(rc) || out.size() - start > size) fail(ErrorCode::corrupt, damaged);
    if (rc != 0 && in.pos == in.size && o.pos < room) fail(ErrorCode::corrupt, damaged + ": truncated");
  }
  if (in.pos != in.size || out.size() - start != size) fail(ErrorCode::corrupt, damaged);
}

}  // namespace llmz
