#include "coding/frame.h"

#include <xxhash.h>

#include <algorithm>

#include "common/error.h"

namespace llmz {

namespace {
constexpr size_t kMaxName = 256;
constexpr size_t kMaxCompute = 1024;
constexpr uint64_t kMaxRecords = 64;
constexpr uint8_t kRequired = 1;  // record flags; the other bits are reserved and must be zero
}  // namespace

const Record* Frame::find(RecordType type) const {
  for (const auto& r : records)
    if (r.type == type) return &r;
  return nullptr;
}

std::vector<uint8_t> write_frame(const Frame& f) {
  ByteWriter w;
  w.bytes(f.magic);
  w.u8(f.version);
  w.bytes(f.model.fingerprint);
  w.string(f.model.name.substr(0, kMaxName));
  w.u64(f.model.tokenizer_hash);
  w.varint(f.model.n_vocab);
  w.string(f.model.compute.substr(0, kMaxCompute));
  w.varint(f.records.size());
  for (const auto& r : f.records) {
    w.varint(uint32_t(r.type));
    w.u8(r.required ? kRequired : 0);
    w.varint(r.body.size());
    w.bytes(r.body);
  }
  w.u32(uint32_t(XXH3_64bits(w.data().data(), w.data().size())));
  return std::move(w.data());
}

Frame read_frame(std::span<const uint8_t> file, const std::array<uint8_t, 4>& magic, std::span<const RecordType> known,
                 size_t& offset) {
  ByteReader r(file);
  Frame f;
  f.magic = magic;
  r.bytes(magic.size());
  r.u8();  // the version, checked by the caller
  const auto fp = r.bytes(16);
  std::copy(fp.begin(), fp.end(), f.model.fingerprint.begin());
  f.model.name = r.string(kMaxName);
  f.model.tokenizer_hash = r.u64();
  f.model.n_vocab = r.varint32();
  f.model.compute = r.string(kMaxCompute);
  const uint64_t n = r.varint();
  if (n > kMaxRecords) fail(ErrorCode::corrupt, "file is damaged (record count)");
  std::vector<Record> all;
  for (uint64_t i = 0; i < n; i++) {
    Record rec{RecordType(r.varint32()), false, {}};
    const uint8_t flags = r.u8();
    rec.required = flags & kRequired;
    const uint64_t size = r.varint();
    if (size > r.remaining()) fail(ErrorCode::corrupt, "file is truncated or damaged (record size)");
    const auto body = r.bytes(size_t(size));
    rec.body.assign(body.begin(), body.end());
    if (flags & ~kRequired) rec.required = true;  // flags this build does not know: treat as required
    all.push_back(std::move(rec));
  }
  const size_t checked = r.position();
  if (r.u32() != uint32_t(XXH3_64bits(file.data(), checked)))
    fail(ErrorCode::corrupt, "file header is damaged (checksum mismatch)");
  for (auto& rec : all) {
    const bool is_known = std::find(known.begin(), known.end(), rec.type) != known.end();
    if (is_known && f.find(rec.type)) fail(ErrorCode::corrupt, "file is damaged (a record appears twice)");
    if (is_known) {
      f.records.push_back(std::move(rec));
    } else if (rec.required) {
      fail(ErrorCode::unsupported, "the file needs record type " + std::to_string(uint32_t(rec.type)) +
                                       ", which this build does not know (made by a newer llmz?)");
    }
  }
  offset = r.position();
  return f;
}

void RecordReader::finish() const {
  if (remaining() != 0)
    fail(ErrorCode::corrupt, "file is damaged (record " + std::to_string(uint32_t(type_)) + " is too long)");
}

}  // namespace llmz
