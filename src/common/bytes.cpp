#include "common/bytes.h"

#include <algorithm>

#include "common/error.h"

namespace llmz {

void ByteWriter::u32(uint32_t v) {
  for (int i = 0; i < 4; i++) out_.push_back(uint8_t(v >> (8 * i)));
}

void ByteWriter::u64(uint64_t v) {
  for (int i = 0; i < 8; i++) out_.push_back(uint8_t(v >> (8 * i)));
}

void ByteWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out_.push_back(uint8_t(v));
}

void ByteWriter::bytes(std::span<const uint8_t> b) {
  // resize + copy rather than insert: GCC 12 warns falsely (-Wstringop-overflow) on insert into empty
  const size_t at = out_.size();
  out_.resize(at + b.size());
  std::copy(b.begin(), b.end(), out_.begin() + long(at));
}

void ByteWriter::string(std::string_view s) {
  varint(s.size());
  bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void ByteReader::need(size_t n) const {
  if (n > remaining()) fail(ErrorCode::corrupt, "file is truncated or damaged");
}

uint8_t ByteReader::u8() {
  need(1);
  return in_[pos_++];
}

uint32_t ByteReader::u32() {
  need(4);
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= uint32_t(in_[pos_++]) << (8 * i);
  return v;
}

uint64_t ByteReader::u64() {
  need(8);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= uint64_t(in_[pos_++]) << (8 * i);
  return v;
}

uint64_t ByteReader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = u8();
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  fail(ErrorCode::corrupt, "file is damaged (malformed integer)");
}

uint32_t ByteReader::varint32() {
  uint64_t v = varint();
  if (v > UINT32_MAX) fail(ErrorCode::corrupt, "file is damaged (value out of range)");
  return uint32_t(v);
}

std::span<const uint8_t> ByteReader::bytes(size_t n) {
  need(n);
  auto s = in_.subspan(pos_, n);
  pos_ += n;
  return s;
}

std::string ByteReader::string(size_t max_len) {
  uint64_t n = varint();
  if (n > max_len) fail(ErrorCode::corrupt, "file is damaged (string too long)");
  auto b = bytes(size_t(n));
  return std::string(b.begin(), b.end());
}

}  // namespace llmz
