#include "coding/container.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>

#include "coding/cdf.h"
#include "common/bytes.h"
#include "common/error.h"

namespace llmz {

namespace {
constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxComputeLength = 1024;
constexpr size_t kMaxAdapters = 64;
}  // namespace

uint32_t chunk_checksum(std::span<const uint8_t> bytes) { return uint32_t(XXH3_64bits(bytes.data(), bytes.size())); }

uint64_t input_checksum(std::span<const uint8_t> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::string to_hex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) s += {digits[b >> 4], digits[b & 15]};
  return s;
}

std::array<uint8_t, 16> fingerprint_from_hex(const std::string& hex) {
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < out.size() && 2 * i + 1 < hex.size(); i++)
    out[i] = uint8_t(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return out;
}

std::vector<uint8_t> write_header(const Header& h) {
  ByteWriter w;
  w.bytes(kMagic);
  if (h.route && h.adapters.size() != 1) fail(ErrorCode::usage, "a routed file names exactly one adapter");
  w.u8(h.route ? (h.route->mode == RouteMode::prompt_profile ? 4 : 3) : h.adapters.empty() ? 1 : 2);
  w.u8(h.lossy ? 1 : 0);  // mode: 0 = lossless, 1 = lossy (a rewrite is coded)
  w.bytes(h.model_fingerprint);
  w.string(h.model_name.substr(0, kMaxNameLength));
  w.u64(h.tokenizer_hash);
  w.varint(h.n_vocab);
  w.u8(uint8_t(h.cdf_bits));
  w.varint(h.window_tokens);
  w.varint(h.window_overlap);
  w.varint(h.streams);
  w.u64(h.prefix_hash);
  w.varint(h.prefix_tokens);
  w.string(h.compute.substr(0, kMaxComputeLength));
  w.varint(h.original_size);
  w.u64(h.input_checksum);
  if (!h.adapters.empty()) {
    w.varint(h.adapters.size());
    for (const auto& a : h.adapters) {
      w.bytes(a.fingerprint);
      w.string(a.name.substr(0, kMaxNameLength));
      w.u32(std::bit_cast<uint32_t>(a.scale));
    }
  }
  if (h.route) {
    w.u8(uint8_t(h.route->mode));
    w.varint(h.route->candidates);
    w.bytes(h.route->candidate_set);
  }
  if (h.lossy) {
    const LossyInfo& l = *h.lossy;
    w.string(l.method.substr(0, kMaxNameLength));
    w.varint(l.original_size);
    w.u64(l.original_checksum);
    w.string(l.rewriter_name.substr(0, kMaxNameLength));
    w.bytes(l.rewriter_fingerprint);
    w.string(l.prompts_version.substr(0, kMaxNameLength));
    w.u64(l.prompts_hash);
    w.varint(l.candidates);
    w.u64(l.seed);
  }
  w.varint(h.chunks.size());
  for (const auto& c : h.chunks) {
    w.u8(uint8_t(c.kind));
    w.varint(c.size);
    if (c.kind == ChunkKind::llm) w.varint(c.tokens);
    if (c.kind != ChunkKind::stored) w.varint(c.payload_size);
    w.u32(c.checksum);
  }
  w.u32(uint32_t(XXH3_64bits(w.data().data(), w.data().size())));
  return std::move(w.data());
}

std::vector<std::span<const uint8_t>> chunk_payloads(const Header& h, std::span<const uint8_t> file, size_t offset) {
  std::vector<std::span<const uint8_t>> payloads;
  for (const auto& c : h.chunks) {
    if (c.payload_size > file.size() - offset) fail(ErrorCode::corrupt, "file is truncated");
    if (c.kind == ChunkKind::llm && (c.tokens == 0 || c.tokens > c.size))
      fail(ErrorCode::corrupt, "file is damaged (token count out of range)");
    payloads.push_back(file.subspan(offset, c.payload_size));
    offset += c.payload_size;
  }
  if (offset != file.size()) fail(ErrorCode::corrupt, "file has trailing data after the last chunk");
  return payloads;
}

Header read_header(std::span<const uint8_t> file, size_t& offset) {
  ByteReader r(file);
  if (file.size() < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), file.begin()))
    fail(ErrorCode::corrupt, "not an llmz file (bad magic)");
  r.bytes(kMagic.size());
  uint8_t version = r.u8();
  if (version < 1 || version > kFormatVersion)
    fail(version > kFormatVersion ? ErrorCode::unsupported : ErrorCode::corrupt,
         "unsupported llmz format version " + std::to_string(version) + " (this build reads versions 1 to " +
             std::to_string(kFormatVersion) + ")");
  const uint8_t mode = r.u8();  // 0 lossless, 1 lossy; a damaged 0/1 is caught by the header checksum
  if (mode > 1)
    fail(ErrorCode::unsupported, "unsupported llmz mode " + std::to_string(mode) + " (made by a newer llmz?)");

  Header h;
  h.version = version;
  auto fp = r.bytes(16);
  std::copy(fp.begin(), fp.end(), h.model_fingerprint.begin());
  h.model_name = r.string(kMaxNameLength);
  h.tokenizer_hash = r.u64();
  h.n_vocab = r.varint32();
  h.cdf_bits = r.u8();
  h.window_tokens = r.varint32();
  h.window_overlap = r.varint32();
  h.streams = r.varint32();
  h.prefix_hash = r.u64();
  h.prefix_tokens = r.varint32();
  h.compute = r.string(kMaxComputeLength);
  h.original_size = r.varint();
  h.input_checksum = r.u64();
  if (version >= 2) {
    const uint64_t n = r.varint();
    if (n == 0 || n > kMaxAdapters) fail(ErrorCode::corrupt, "file is damaged (adapter count)");
    h.adapters.resize(size_t(n));
    for (auto& a : h.adapters) {
      auto afp = r.bytes(16);
      std::copy(afp.begin(), afp.end(), a.fingerprint.begin());
      a.name = r.string(kMaxNameLength);
      a.scale = std::bit_cast<float>(r.u32());
    }
  }
  if (version >= 3) {
    RouteRef route;
    const uint8_t mode = r.u8();
    if (mode < uint8_t(RouteMode::prompt_alone) ||
        mode > uint8_t(version >= 4 ? RouteMode::prompt_profile : RouteMode::best))
      fail(ErrorCode::corrupt, "file is damaged (routing mode)");
    route.mode = RouteMode(mode);
    route.candidates = r.varint32();
    if (route.candidates == 0 || h.adapters.size() != 1) fail(ErrorCode::corrupt, "file is damaged (routing)");
    auto set = r.bytes(16);
    std::copy(set.begin(), set.end(), route.candidate_set.begin());
    h.route = route;
  }
  if (mode == 1) {
    LossyInfo l;
    l.method = r.string(kMaxNameLength);
    l.original_size = r.varint();
    l.original_checksum = r.u64();
    l.rewriter_name = r.string(kMaxNameLength);
    auto rfp = r.bytes(16);
    std::copy(rfp.begin(), rfp.end(), l.rewriter_fingerprint.begin());
    l.prompts_version = r.string(kMaxNameLength);
    l.prompts_hash = r.u64();
    l.candidates = r.varint32();
    l.seed = r.u64();
    h.lossy = l;
  }
  uint64_t n_chunks = r.varint();
  if (n_chunks > file.size()) fail(ErrorCode::corrupt, "file is damaged (chunk count)");
  h.chunks.resize(size_t(n_chunks));
  uint64_t total = 0;
  for (auto& c : h.chunks) {
    uint8_t kind = r.u8();
    if (kind > uint8_t(ChunkKind::stored)) fail(ErrorCode::corrupt, "file is damaged (chunk kind)");
    c.kind = ChunkKind(kind);
    c.size = r.varint32();
    if (c.kind == ChunkKind::llm) c.tokens = r.varint32();
    c.payload_size = c.kind == ChunkKind::stored ? c.size : r.varint32();
    c.checksum = r.u32();
    total += c.size;
  }
  size_t checked = r.position();
  uint32_t expected = r.u32();
  if (expected != uint32_t(XXH3_64bits(file.data(), checked)))
    fail(ErrorCode::corrupt, "file header is damaged (checksum mismatch)");
  if (total != h.original_size) fail(ErrorCode::corrupt, "file is damaged (chunk sizes do not add up)");
  if (h.cdf_bits < kMinCdfBits || h.cdf_bits > kMaxCdfBits || h.prefix_tokens == 0 ||
      h.window_overlap >= h.window_tokens)
    fail(ErrorCode::corrupt, "file is damaged (coding parameters out of range)");
  offset = r.position();
  return h;
}

}  // namespace llmz
