#include "qa/qa_file.h"

#include <xxhash.h>

#include <algorithm>

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

std::vector<uint8_t> write_qa_file(const QaHeader& h) {
  ByteWriter w;
  w.bytes(kQaMagic);
  w.u8(kQaFormatVersion);
  w.u8(kQaProtocolVersion);
  w.bytes(h.slm_fingerprint);
  w.string(h.slm_name.substr(0, kMaxString));
  w.u64(h.tokenizer_hash);
  w.string(h.compute.substr(0, kMaxString));
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
  w.u32(uint32_t(XXH3_64bits(w.data().data(), w.data().size())));
  w.bytes(h.payload);
  w.u32(uint32_t(XXH3_64bits(h.payload.data(), h.payload.size())));
  return std::move(w.data());
}

QaHeader read_qa_file(std::span<const uint8_t> file) {
  if (!is_qa_file(file)) fail(ErrorCode::corrupt, "not an llmz QA file (bad magic)");
  ByteReader r(file);
  r.bytes(kQaMagic.size());
  const uint8_t version = r.u8();
  if (version != kQaFormatVersion)
    fail(version > kQaFormatVersion ? ErrorCode::unsupported : ErrorCode::corrupt,
         "unsupported QA format version " + std::to_string(version) + " (this build reads version " +
             std::to_string(kQaFormatVersion) + ")");
  const uint8_t protocol = r.u8();
  QaHeader h;
  auto fp = r.bytes(16);
  std::copy(fp.begin(), fp.end(), h.slm_fingerprint.begin());
  h.slm_name = r.string(kMaxString);
  h.tokenizer_hash = r.u64();
  h.compute = r.string(kMaxString);
  h.prompts_version = r.string(kMaxString);
  h.prompts_hash = r.u64();
  h.problem_hash = r.u64();
  const uint8_t mode = r.u8();
  h.settings.questions = r.varint32();
  h.settings.max_attempt_tokens = r.varint32();
  h.settings.max_question_tokens = r.varint32();
  h.settings.context_tokens = r.varint32();
  const uint8_t oracle = r.u8();
  h.oracle_name = r.string(kMaxString);
  h.answers = r.varint32();
  h.transcript_checksum = r.u64();
  h.answer_size = r.varint32();
  h.cost_millibits = r.varint32();
  const uint64_t payload_size = r.varint();
  const size_t checked = r.position();
  if (r.u32() != uint32_t(XXH3_64bits(file.data(), checked)))
    fail(ErrorCode::corrupt, "QA file header is damaged (checksum mismatch)");
  // Sizes are checked before anything is allocated for them (the decoder also checks the context
  // against its model's): a crafted header cannot make the receiver reserve gigabytes.
  const Settings& s = h.settings;
  if (mode > uint8_t(QuestionMode::sequential) || oracle > uint8_t(OracleMode::self) || s.questions > kMaxQuestions ||
      h.answers > s.questions || s.context_tokens < kMinContextTokens || s.context_tokens > kMaxContextTokens ||
      s.max_attempt_tokens > s.context_tokens || s.max_question_tokens > s.context_tokens)
    fail(ErrorCode::corrupt, "QA file is damaged (settings out of range)");
  if (protocol != kQaProtocolVersion)
    fail(ErrorCode::unsupported, "unsupported QA protocol version " + std::to_string(protocol) +
                                     " (this build runs version " + std::to_string(kQaProtocolVersion) + ")");
  h.settings.mode = QuestionMode(mode);
  h.oracle_mode = OracleMode(oracle);
  if (payload_size > r.remaining()) fail(ErrorCode::corrupt, "QA file is truncated");
  auto payload = r.bytes(size_t(payload_size));
  h.payload.assign(payload.begin(), payload.end());
  if (r.u32() != uint32_t(XXH3_64bits(h.payload.data(), h.payload.size())))
    fail(ErrorCode::corrupt, "QA file is damaged (answer bits checksum mismatch)");
  if (r.remaining() != 0) fail(ErrorCode::corrupt, "QA file has trailing bytes");
  return h;
}

}  // namespace llmz::qa
