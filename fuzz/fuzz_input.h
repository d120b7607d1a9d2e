// The input layout shared by the file fuzzers: [flags][low byte of the header length][file bytes].
// An odd flags byte asks for valid checksums, so that the fuzzer reaches what lies behind a crafted,
// checksum-valid header: the header checksum goes at the first position from 8 on whose low byte
// matches (one candidate in 256, so finding it is linear), which the fuzzer learns to choose.
#pragma once
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

struct FuzzFile {
  std::vector<uint8_t> bytes;
  std::optional<size_t> checksum_at;  // where a valid header checksum was written
};

// tail: bytes that must follow the header checksum (e.g. a trailing payload checksum).
inline std::optional<FuzzFile> fuzz_file(const uint8_t* data, size_t size, size_t tail = 0) {
  if (size < 2 || size > (1u << 16)) return std::nullopt;
  FuzzFile f{std::vector<uint8_t>(data + 2, data + size), std::nullopt};
  if (!(data[0] & 1)) return f;
  for (size_t end = 8; end + 4 + tail <= f.bytes.size(); end++) {
    if ((end & 0xFF) != data[1]) continue;
    const uint32_t sum = uint32_t(XXH3_64bits(f.bytes.data(), end));
    std::memcpy(f.bytes.data() + end, &sum, 4);
    f.checksum_at = end;
    break;
  }
  return f;
}
