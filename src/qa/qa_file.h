// The .qa file (docs/QA.md): a checked header that records everything the receiver needs to rebuild
// the SLM's side of the protocol, then the range-coded answer bits.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "qa/oracle.h"
#include "qa/protocol.h"

namespace llmz::qa {

inline constexpr std::array<uint8_t, 4> kQaMagic = {'L', 'Z', 'Q', 'A'};
// The protocol's rules beyond the prompts (stopping, question parsing, answer coding): docs/QA.md.
inline constexpr uint8_t kQaProtocolVersion = 5;  // 2: a repeated question is retried once; 3: replies stop
                                                  // in a token cycle; 4: only lines of 12+ characters
                                                  // count as a loop; 5: candidates mode (docs/QA.md)
// Version 5 changed nothing in the other modes, so their version-4 files still decode.
inline constexpr uint8_t kOldestQaProtocolVersion = 4;
inline constexpr uint8_t kFirstCandidatesProtocolVersion = 5;

struct QaHeader {
  uint8_t version = 0;                    // as read (1 or 5); write_qa_file writes 5, the frame (coding/frame.h)
  uint8_t protocol = kQaProtocolVersion;  // the rules the transcript was made by
  std::array<uint8_t, 16> slm_fingerprint{};
  std::string slm_name;
  uint64_t tokenizer_hash = 0;
  uint32_t n_vocab = 0;         // version 5 on
  std::string compute;          // llama.cpp release, CPU features and evaluation settings of the sender
  std::string prompts_version;  // the template file's "version"
  uint64_t prompts_hash = 0;    // XXH3-64 of the template file
  uint64_t problem_hash = 0;    // XXH3-64 of the problem text (the prompt both ends know)
  Settings settings;
  OracleMode oracle_mode = OracleMode::own_reference;  // for the record: the receiver does not need it
  std::string oracle_name;
  uint32_t answers = 0;              // answer bits coded (fewer than settings.questions if the SLM stopped)
  uint64_t transcript_checksum = 0;  // what the receiver must rebuild: see transcript_checksum()
  uint32_t answer_size = 0;          // its bytes
  uint32_t cost_millibits = 0;       // information content of the answers, in 1/1000 bit
  std::vector<uint8_t> payload;      // the coded answers
};

std::vector<uint8_t> write_qa_file(const QaHeader& h);
QaHeader read_qa_file(std::span<const uint8_t> file);
uint64_t text_checksum(const std::string& text);
// XXH3-64 of the attempt, the questions with their answers, and the final answer.
uint64_t transcript_checksum(const Transcript& t);

}  // namespace llmz::qa
