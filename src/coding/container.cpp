#include "coding/container.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>

#include "coding/cdf.h"
#include "coding/container_fields.h"
#include "coding/frame.h"
#include "common/bytes.h"
#include "common/error.h"
#include "llmz/llmz.h"

namespace llmz {

namespace detail {

ModelIdentity identity_of(const Header& h) {
  return {h.model_fingerprint, h.model_name, h.tokenizer_hash, h.n_vocab, h.compute};
}

void set_identity(Header& h, const ModelIdentity& model) {
  h.model_fingerprint = model.fingerprint;
  h.model_name = model.name;
  h.tokenizer_hash = model.tokenizer_hash;
  h.n_vocab = model.n_vocab;
  h.compute = model.compute;
}

void write_coding(ByteWriter& w, const Header& h) {
  w.u8(uint8_t(h.cdf_bits));
  w.varint(h.window_tokens);
  w.varint(h.window_overlap);
  w.varint(h.streams);
  w.u64(h.prefix_hash);
  w.varint(h.prefix_tokens);
}

void read_coding(ByteReader& r, Header& h) {
  h.cdf_bits = r.u8();
  h.window_tokens = r.varint32();
  h.window_overlap = r.varint32();
  h.streams = r.varint32();
  h.prefix_hash = r.u64();
  h.prefix_tokens = r.varint32();
}

void write_lossless(ByteWriter& w, const Header& h) {
  write_coding(w, h);
  w.varint(h.original_size);
  w.u64(h.input_checksum);
  write_chunks(w, h.chunks);
}

void read_lossless(ByteReader& r, Header& h, size_t file_size) {
  read_coding(r, h);
  h.original_size = r.varint();
  h.input_checksum = r.u64();
  h.chunks = read_chunks(r, file_size);
}

void check_header(const Header& h) {
  uint64_t total = 0;
  for (const auto& c : h.chunks) total += c.size;
  if (total != h.original_size) fail(ErrorCode::corrupt, "file is damaged (chunk sizes do not add up)");
  if (h.cdf_bits < kMinCdfBits || h.cdf_bits > kMaxCdfBits || h.prefix_tokens == 0 ||
      h.window_overlap >= h.window_tokens)
    fail(ErrorCode::corrupt, "file is damaged (coding parameters out of range)");
}

void write_adapters(ByteWriter& w, const std::vector<AdapterRef>& adapters) {
  w.varint(adapters.size());
  for (const auto& a : adapters) {
    w.bytes(a.fingerprint);
    w.string(a.name.substr(0, kMaxNameLength));
    w.u32(std::bit_cast<uint32_t>(a.scale));
  }
}

std::vector<AdapterRef> read_adapters(ByteReader& r) {
  const uint64_t n = r.varint();
  if (n == 0 || n > kMaxAdapters) fail(ErrorCode::corrupt, "file is damaged (adapter count)");
  std::vector<AdapterRef> adapters(static_cast<size_t>(n));
  for (auto& a : adapters) {
    const auto fp = r.bytes(16);
    std::copy(fp.begin(), fp.end(), a.fingerprint.begin());
    a.name = r.string(kMaxNameLength);
    a.scale = std::bit_cast<float>(r.u32());
  }
  return adapters;
}

void write_mixing(ByteWriter& w, uint8_t parts) {
  w.u8(kMixerVersion);
  w.u8(parts);
}

uint8_t read_mixing(ByteReader& r) {
  const uint8_t version = r.u8(), parts = r.u8();
  if (version != kMixerVersion || (parts & ~mix_all))
    fail(ErrorCode::unsupported, "unknown mixer version " + std::to_string(version) + " or parts " +
                                     std::to_string(parts) + " (made by a newer llmz?)");
  return parts;
}

void write_route(ByteWriter& w, const RouteRef& route) {
  w.u8(uint8_t(route.mode));
  w.varint(route.candidates);
  w.bytes(route.candidate_set);
}

RouteRef read_route(ByteReader& r, RouteMode highest) {
  RouteRef route;
  const uint8_t mode = r.u8();
  if (mode < uint8_t(RouteMode::prompt_alone) || mode > uint8_t(highest))
    fail(ErrorCode::corrupt, "file is damaged (routing mode)");
  route.mode = RouteMode(mode);
  route.candidates = r.varint32();
  if (route.candidates == 0) fail(ErrorCode::corrupt, "file is damaged (routing)");
  const auto set = r.bytes(16);
  std::copy(set.begin(), set.end(), route.candidate_set.begin());
  return route;
}

void write_lossy(ByteWriter& w, const LossyInfo& l) {
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

LossyInfo read_lossy(ByteReader& r) {
  LossyInfo l;
  l.method = r.string(kMaxNameLength);
  l.original_size = r.varint();
  l.original_checksum = r.u64();
  l.rewriter_name = r.string(kMaxNameLength);
  const auto fp = r.bytes(16);
  std::copy(fp.begin(), fp.end(), l.rewriter_fingerprint.begin());
  l.prompts_version = r.string(kMaxNameLength);
  l.prompts_hash = r.u64();
  l.candidates = r.varint32();
  l.seed = r.u64();
  return l;
}

void write_chunks(ByteWriter& w, const std::vector<ChunkEntry>& chunks) {
  w.varint(chunks.size());
  for (const auto& c : chunks) {
    w.u8(uint8_t(c.kind));
    w.varint(c.size);
    if (c.kind == ChunkKind::llm) w.varint(c.tokens);
    if (c.kind != ChunkKind::stored) w.varint(c.payload_size);
    w.u32(c.checksum);
  }
}

std::vector<ChunkEntry> read_chunks(ByteReader& r, size_t file_size) {
  const uint64_t n = r.varint();
  if (n > file_size) fail(ErrorCode::corrupt, "file is damaged (chunk count)");
  std::vector<ChunkEntry> chunks(static_cast<size_t>(n));
  for (auto& c : chunks) {
    const uint8_t kind = r.u8();
    if (kind > uint8_t(ChunkKind::stored)) fail(ErrorCode::corrupt, "file is damaged (chunk kind)");
    c.kind = ChunkKind(kind);
    c.size = r.varint32();
    if (c.kind == ChunkKind::llm) c.tokens = r.varint32();
    c.payload_size = c.kind == ChunkKind::stored ? c.size : r.varint32();
    c.checksum = r.u32();
  }
  return chunks;
}

}  // namespace detail

namespace {

constexpr RecordType kKnownRecords[] = {RecordType::lossless, RecordType::adapters, RecordType::route,
                                        RecordType::lossy,    RecordType::window,   RecordType::mixing};
constexpr uint8_t kSlidingWindow = 1;  // the window record's one value

template <typename Fill>
Record record(RecordType type, bool required, Fill fill) {
  ByteWriter w;
  fill(w);
  return {type, required, std::move(w.data())};
}

Header read_framed_header(std::span<const uint8_t> file, size_t& offset) {
  const Frame f = read_frame(file, kMagic, kKnownRecords, offset);
  Header h;
  h.version = file[kMagic.size()];
  h.mixing = h.version >= kFirstMixedVersion ? mix_all : mix_none;
  detail::set_identity(h, f.model);
  const Record* lossless = f.find(RecordType::lossless);
  if (!lossless) fail(ErrorCode::corrupt, "file is damaged (no coding record)");
  RecordReader r(*lossless);
  detail::read_lossless(r, h, file.size());
  r.finish();
  if (const Record* a = f.find(RecordType::adapters)) {
    RecordReader ar(*a);
    h.adapters = detail::read_adapters(ar);
    ar.finish();
  }
  if (const Record* route = f.find(RecordType::route)) {
    RecordReader rr(*route);
    h.route = detail::read_route(rr, RouteMode::prompt_profile);
    rr.finish();
    if (h.adapters.size() != 1) fail(ErrorCode::corrupt, "file is damaged (routing)");
  }
  if (const Record* window = f.find(RecordType::window)) {
    RecordReader wr(*window);
    if (wr.u8() != kSlidingWindow) fail(ErrorCode::unsupported, "unknown window mode (made by a newer llmz?)");
    wr.finish();
    h.sliding_window = true;
  }
  if (const Record* mixing = f.find(RecordType::mixing)) {
    RecordReader mr(*mixing);
    h.mixing = detail::read_mixing(mr);
    mr.finish();
  }
  if (const Record* lossy = f.find(RecordType::lossy)) {
    RecordReader lr(*lossy);
    h.lossy = detail::read_lossy(lr);
    lr.finish();
  }
  return h;
}

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
  if (h.route && h.adapters.size() != 1) fail(ErrorCode::usage, "a routed file names exactly one adapter");
  Frame f;
  f.magic = kMagic;
  f.version = kFormatVersion;
  f.model = detail::identity_of(h);
  f.records.push_back(record(RecordType::lossless, true, [&](ByteWriter& w) { detail::write_lossless(w, h); }));
  if (!h.adapters.empty())
    f.records.push_back(
        record(RecordType::adapters, true, [&](ByteWriter& w) { detail::write_adapters(w, h.adapters); }));
  if (h.sliding_window)
    f.records.push_back(record(RecordType::window, true, [&](ByteWriter& w) { w.u8(kSlidingWindow); }));
  if (h.mixing != mix_all)
    f.records.push_back(record(RecordType::mixing, true, [&](ByteWriter& w) { detail::write_mixing(w, h.mixing); }));
  // Optional: the decoder needs only the adapter itself; prompt routing's check reads it when known.
  if (h.route)
    f.records.push_back(record(RecordType::route, false, [&](ByteWriter& w) { detail::write_route(w, *h.route); }));
  // Required: a reader that skipped it would present the rewrite as the original.
  if (h.lossy)
    f.records.push_back(record(RecordType::lossy, true, [&](ByteWriter& w) { detail::write_lossy(w, *h.lossy); }));
  return write_frame(f);
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
  if (file.size() < kMagic.size() + 1 || !std::equal(kMagic.begin(), kMagic.end(), file.begin()))
    fail(ErrorCode::corrupt, "not an llmz file (bad magic)");
  const uint8_t version = file[kMagic.size()];
  if (version < 1 || version > kFormatVersion)
    fail(version > kFormatVersion ? ErrorCode::unsupported : ErrorCode::corrupt,
         "unsupported llmz format version " + std::to_string(version) + " (this build reads versions 1 to " +
             std::to_string(kFormatVersion) + ")");
  Header h = version >= kFrameVersion ? read_framed_header(file, offset) : detail::read_legacy_header(file, offset);
  detail::check_header(h);
  return h;
}

}  // namespace llmz
