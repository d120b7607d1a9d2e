// QA as a file: the sender runs the protocol with an oracle and writes the coded answers; the receiver
// rebuilds everything from the SLM, the prompt and those bits.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "llmz/llmz.h"
#include "qa/oracle.h"
#include "qa/protocol.h"
#include "qa/qa_file.h"

namespace llmz::qa {

struct Encoded {
  Transcript transcript;
  std::vector<uint8_t> file;
  std::string reference;  // the oracle's own solution (own-reference mode)
  uint32_t unclear = 0;   // oracle replies that were neither yes nor no (counted as no)
};

Encoded encode(const Model& slm, Oracle& oracle, OracleMode mode, const Prompts& prompts, const Settings& settings,
               const std::string& problem, const std::string& gold, const Observer& observer = {});

// Fails if the SLM, the prompts or the problem are not those of the file, or if the rebuilt final
// answer does not match the sender's checksum.
Transcript decode(const Model& slm, const Prompts& prompts, std::span<const uint8_t> file, const std::string& problem,
                  const Observer& observer = {});

}  // namespace llmz::qa
