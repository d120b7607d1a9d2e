// Little-endian and LEB128 serialisation for the container. Reading past the end throws a
// "truncated" error instead of crashing.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace llmz {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void varint(uint64_t v);
  void bytes(std::span<const uint8_t> b);
  void string(std::string_view s);  // varint length + bytes
  std::vector<uint8_t>& data() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  uint64_t varint();
  uint32_t varint32();  // a varint that must fit 32 bits
  std::span<const uint8_t> bytes(size_t n);
  std::string string(size_t max_len);
  size_t position() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  void need(size_t n) const;
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

}  // namespace llmz
