#include "qa/qa_file.h"

#include <xxhash.h>

#include <algorithm>

#include "coding/container.h"
#include "coding/frame.h"
#include "common/bytes.h"
#include "common/error.h"

namespace llmz::qa {

namespace {
constexpr size_t kMaxString = 1024;
}

uint64_t text_checksum(const std::string& text) { return XXH3_64bits(text.data(), text.size()); }

uint64_t transcript_checksum(const Transcript& t) {
  return text_checksum(t.attempt + '\0' + format_transcript(t.turns) + '\0' + t.final_answer);
}

bool is_qa_file(std::span<const uint8_t> file) {
  return file.size() >= kQaMagic.size() && std::equal(kQaMagic.begin(), kQaMagic.end(), file.begin());
}

namespace {

constexpr RecordType kKnownRecords[] = {RecordType::qa};

// The protocol's fields, the same bytes in version 1's header and in version 5's qa record.
void write_fields(ByteWriter& w, const QaHeader& h) {
  w.string(h.prompts_version.substr(0, kMaxString));
  w.u64(h.prompts_hash);
  w.u64(h.problem_hash);
  w.u8(uint8_t(h.settings.mode));
  w.varint(h.settings.questions);
  w.varint(h.settings.max_attempt_tokens);
  w.varint(h.settings.max_question_tokens);
  w.varint(h.settings.context_tokens);
  w.u8(uint8_t(h.oracle_mode));
  w.string(h.oracle_name.substr(0, kMaxString));
  w.varint(h.answers);
  w.u64(h.transcript_checksum);
  w.varint(h.answer_size);
  w.varint(h.cost_millibits);
  w.varint(h.payload.size());
}

struct Fields {
  uint8_t protocol = 0, mode = 0, oracle = 0;
  uint64_t payload_size = 0;
};

void read_fields(ByteReader& r, QaHeader& h, Fields& f) {
  h.prompts_version = r.string(kMaxString);
  h.prompts_hash = r.u64();
  h.problem_hash = r.u64();
  f.mode = r.u8();
  h.settings.questions = r.varint32();
  h.settings.max_attempt_tokens = r.varint32();
  h.settings.max_question_tokens = r.varint32();
  h.settings.context_tokens = r.varint32();
  f.oracle = r.u8();
  h.oracle_name = r.string(kMaxString);
  h.answers = r.varint32();
  h.transcript_checksum = r.u64();
  h.answer_size = r.varint32();
  h.cost_millibits = r.varint32();
  f.payload_size = r.varint();
}

// Version 1: one fixed header.
size_t read_v1_header(std::span<const uint8_t> file, QaHeader& h, Fields& f) {
  ByteReader r(file);
  r.bytes(kQaMagic.size() + 1);
  f.protocol = r.u8();
  const auto fp = r.bytes(16);
  std::copy(fp.begin(), fp.end(), h.slm_fingerprint.begin());
  h.slm_name = r.string(kMaxString);
  h.tokenizer_hash = r.u64();
  h.compute = r.string(kMaxString);
  read_fields(r, h, f);
  const size_t checked = r.position();
  if (r.u32() != uint32_t(XXH3_64bits(file.data(), checked)))
    fail(ErrorCode::corrupt, "QA file header is damaged (checksum mismatch)");
  return r.position();
}

// Version 5: the frame, with the protocol's fields in its qa record.
size_t read_framed_header(std::span<const uint8_t> file, QaHeader& h, Fields& f) {
  size_t offset = 0;
  const Frame frame = read_frame(file, kQaMagic, kKnownRecords, offset);
  h.slm_fingerprint = frame.model.fingerprint;
  h.slm_name = frame.model.name;
  h.tokenizer_hash = frame.model.tokenizer_hash;
  h.n_vocab = frame.model.n_vocab;
  h.compute = frame.model.compute;
  const Record* qa = frame.find(RecordType::qa);
  if (!qa) fail(ErrorCode::corrupt, "QA file is damaged (no qa record)");
  RecordReader r(*qa);
  f.protocol = r.u8();
  read_fields(r, h, f);
  r.finish();
  return offset;
}

}  // namespace

std::vector<uint8_t> write_qa_file(const QaHeader& h) {
  Frame f;
  f.magic = kQaMagic;
  f.model = {h.slm_fingerprint, h.slm_name, h.tokenizer_hash, h.n_vocab, h.compute};
  ByteWriter qa;
  qa.u8(h.protocol);
  write_fields(qa, h);
  f.records.push_back({RecordType::qa, true, std::move(qa.data())});
  ByteWriter w;
  w.bytes(write_frame(f));
  w.bytes(h.payload);
  w.u32(uint32_t(XXH3_64bits(h.payload.data(), h.payload.size())));
  return std::move(w.data());
}

QaHeader read_qa_file(std::span<const uint8_t> file) {
  if (!is_qa_file(file) || file.size() <= kQaMagic.size()) fail(ErrorCode::corrupt, "not an llmz QA file (bad magic)");
  const uint8_t version = file[kQaMagic.size()];
  if (version != 1 && version != kFrameVersion)
    fail(version > kFrameVersion ? ErrorCode::unsupported : ErrorCode::corrupt,
         "unsupported QA format version " + std::to_string(version) + " (this build reads versions 1 and " +
             std::to_string(kFrameVersion) + ")");
  QaHeader h;
  Fields f;
  ByteReader r(file);
  r.bytes(version == 1 ? read_v1_header(file, h, f) : read_framed_header(file, h, f));
  // Sizes are checked before anything is allocated for them (the decoder also checks the context
  // against its model's): a crafted header cannot make the receiver reserve gigabytes.
  const Settings& s = h.settings;
  if (f.mode > uint8_t(QuestionMode::candidates) || f.oracle > uint8_t(OracleMode::self) ||
      s.questions > kMaxQuestions || h.answers > s.questions || s.context_tokens < kMinContextTokens ||
      s.context_tokens > kMaxContextTokens || s.max_attempt_tokens > s.context_tokens ||
      s.max_question_tokens > s.context_tokens)
    fail(ErrorCode::corrupt, "QA file is damaged (settings out of range)");
  if (f.protocol < kOldestQaProtocolVersion || f.protocol > kQaProtocolVersion ||
      (f.mode == uint8_t(QuestionMode::candidates) && f.protocol < kFirstCandidatesProtocolVersion))
    fail(ErrorCode::unsupported, "unsupported QA protocol version " + std::to_string(f.protocol) +
                                     " (this build runs versions " + std::to_string(kOldestQaProtocolVersion) + " to " +
                                     std::to_string(kQaProtocolVersion) + ")");
  h.settings.mode = QuestionMode(f.mode);
  h.oracle_mode = OracleMode(f.oracle);
  h.protocol = f.protocol;
  if (f.payload_size > r.remaining()) fail(ErrorCode::corrupt, "QA file is truncated");
  auto payload = r.bytes(size_t(f.payload_size));
  h.payload.assign(payload.begin(), payload.end());
  if (r.u32() != uint32_t(XXH3_64bits(h.payload.data(), h.payload.size())))
    fail(ErrorCode::corrupt, "QA file is damaged (answer bits checksum mismatch)");
  if (r.remaining() != 0) fail(ErrorCode::corrupt, "QA file has trailing bytes");
  h.version = version;
  return h;
}

QaFileInfo inspect_qa(std::span<const uint8_t> file) {
  const QaHeader h = read_qa_file(file);
  return {.format_version = h.version,
          .slm_name = h.slm_name,
          .slm_fingerprint = to_hex(h.slm_fingerprint),
          .tokenizer_hash = h.tokenizer_hash,
          .compute = h.compute,
          .prompts_version = h.prompts_version,
          .prompts_hash = h.prompts_hash,
          .problem_hash = h.problem_hash,
          .settings = h.settings,
          .oracle_mode = h.oracle_mode,
          .oracle_name = h.oracle_name,
          .answers = h.answers,
          .transcript_checksum = h.transcript_checksum,
          .answer_size = h.answer_size,
          .coded_bits = h.cost_millibits / 1000.0,
          .payload_size = h.payload.size(),
          .file_size = file.size()};
}

}  // namespace llmz::qa
