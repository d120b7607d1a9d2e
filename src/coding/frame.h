// The frame every llmz file starts with from version 5 on (docs/FORMAT.md, "Frame"): magic, version,
// the identity of the model it needs, typed length-prefixed records, and a checksum over all of it.
// Like xz's stream and block headers: a reader refuses a record type it does not know when the record
// is marked required, and skips it when it is optional, so new optional records keep old readers.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace llmz {

inline constexpr uint8_t kFrameVersion = 5;  // versions before it are each file kind's own older headers

enum class RecordType : uint32_t {
  lossless = 1,  // coding parameters and the chunk table (.llmz)
  adapters = 2,  // LoRA adapters applied on top of the model (.llmz)
  route = 3,     // how the one adapter was routed (.llmz; optional: decoding needs only the adapter)
  lossy = 4,     // the chunks code a rewrite of the input (.llmz)
  qa = 5,        // the question-asking protocol's settings and outcome (.qa)
  archive = 6,   // a record archive's fields and prompt policy (.llmza)
  window = 7,    // how windows carry their overlap (.llmz; required: it changes the probabilities)
  mixing = 8,    // the models mixed with the LLM, and the mixer's version (.llmz; required)
};

// What a file needs of the model that reads it.
struct ModelIdentity {
  std::array<uint8_t, 16> fingerprint{};  // XXH3-128 of the GGUF's tensor data
  std::string name;                       // general.name, for messages
  uint64_t tokenizer_hash = 0;
  uint32_t n_vocab = 0;
  std::string compute;  // the writer's compute id
};

struct Record {
  RecordType type;
  bool required = true;  // a reader that does not know the type must refuse the file
  std::vector<uint8_t> body;
};

struct Frame {
  std::array<uint8_t, 4> magic{};
  uint8_t version = kFrameVersion;  // a file kind may number later revisions of its records higher
  ModelIdentity model;
  std::vector<Record> records;  // at most one of each type
  const Record* find(RecordType type) const;
};

std::vector<uint8_t> write_frame(const Frame& frame);
// Reads the frame at the start of file (its magic already checked to be `magic`, its version byte
// by the caller); `offset` receives where the rest of the file starts. Records of types not in
// `known` are skipped when optional and refused (ErrorCode::unsupported) when required.
Frame read_frame(std::span<const uint8_t> file, const std::array<uint8_t, 4>& magic, std::span<const RecordType> known,
                 size_t& offset);

// A record's body, read to its end: a field past the end, or bytes left over, mean damage.
class RecordReader : public ByteReader {
 public:
  explicit RecordReader(const Record& r) : ByteReader(r.body), type_(r.type) {}
  void finish() const;

 private:
  RecordType type_;
};

}  // namespace llmz
