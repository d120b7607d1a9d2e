// The .llmz header's field groups, written and read alike by the frame's records (version 5) and by
// the one fixed header of versions 1 to 4, whose groups have the same bytes.
#pragma once
#include <span>

#include "coding/container.h"
#include "coding/frame.h"
#include "common/bytes.h"

namespace llmz::detail {

inline constexpr size_t kMaxNameLength = 256;
inline constexpr size_t kMaxAdapters = 64;

// The lossless record's body: the coding parameters, original size and checksum, the chunk table.
void write_lossless(ByteWriter& w, const Header& h);
void read_lossless(ByteReader& r, Header& h, size_t file_size);
// What every header must satisfy, whatever its version: chunk sizes add up, parameters in range.
void check_header(const Header& h);
// The coding parameters: cdf_bits, window_tokens, window_overlap, streams, prefix_hash, prefix_tokens.
void write_coding(ByteWriter& w, const Header& h);
void read_coding(ByteReader& r, Header& h);
void write_adapters(ByteWriter& w, const std::vector<AdapterRef>& adapters);
std::vector<AdapterRef> read_adapters(ByteReader& r);
void write_route(ByteWriter& w, const RouteRef& route);
RouteRef read_route(ByteReader& r, RouteMode highest);
// The mixing record's body: the mixer's version, then its parts (a MixParts set; 0: none).
void write_mixing(ByteWriter& w, uint8_t parts);
uint8_t read_mixing(ByteReader& r);
void write_lossy(ByteWriter& w, const LossyInfo& lossy);
LossyInfo read_lossy(ByteReader& r);
void write_chunks(ByteWriter& w, const std::vector<ChunkEntry>& chunks);
std::vector<ChunkEntry> read_chunks(ByteReader& r, size_t file_size);

// The header's model fields as the frame carries them, and back (.llmz files and archive heads).
ModelIdentity identity_of(const Header& h);
void set_identity(Header& h, const ModelIdentity& model);

// Versions 1 to 4 (container_v1_4.cpp); `offset` receives where the payloads start.
Header read_legacy_header(std::span<const uint8_t> file, size_t& offset);

}  // namespace llmz::detail
