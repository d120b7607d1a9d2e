// The oracle answers the SLM's yes/no questions about a problem. It runs at the sender only, so it
// need not be deterministic. Kinds: a reference oracle (a local GGUF model, an OpenAI-compatible chat
// endpoint, or an `llmz serve` server answers from a reference solution) and the SLM itself (the
// self-refinement control).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/chat.h"
#include "llmz/qa.h"
#include "qa/prompts.h"

namespace llmz::qa {

// A chat model that an oracle can prompt: local or behind an HTTP endpoint.
class ChatBackend {
 public:
  virtual ~ChatBackend() = default;
  // The model's next turn in the conversation (which ends with a user message).
  virtual std::string reply(const Conversation& conversation, uint32_t max_tokens) = 0;
  // The model's yes/no answer as its next turn; nullopt if its reply was neither.
  virtual std::optional<bool> yes_no(const Conversation& conversation) = 0;
  virtual std::string name() const = 0;
};

std::unique_ptr<Oracle> make_reference_oracle(std::unique_ptr<ChatBackend> backend, const Prompts& prompts,
                                              OracleMode mode, uint32_t max_reference_tokens,
                                              UnclearPolicy unclear = UnclearPolicy::no);

// Parses a free-text reply: "Yes", "no.", "**No**, because ..." -> the bit; anything else -> nullopt.
std::optional<bool> parse_yes_no(const std::string& reply);

}  // namespace llmz::qa
