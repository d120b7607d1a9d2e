// The oracle answers the SLM's yes/no questions about a problem. It runs at the sender only, so it
// need not be deterministic. Kinds: a reference oracle (a local GGUF model, an OpenAI-compatible chat
// endpoint, or an `llmz serve` server answers from a reference solution) and the SLM itself (the
// self-refinement control).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "qa/prompts.h"

namespace llmz::qa {

enum class OracleMode {
  own_reference,   // the oracle first writes its own solution and answers from it (deployable)
  gold_reference,  // the oracle is given the dataset's answer (the paper's setting: an upper bound)
  self,            // the SLM answers its own questions (the control)
};

const char* to_string(OracleMode m);
OracleMode parse_oracle_mode(const std::string& s);  // fails with a usage error

// What an oracle is told about a problem before the questions come.
struct Task {
  std::string problem;
  std::string attempt;  // the SLM's first attempt, which the questions are about
  std::string gold;     // the dataset's answer (gold-reference mode only)
};

struct Question {
  std::string text;
  uint32_t slm_yes = 0;  // the SLM's own P(yes) in units of 2^-16 (what the self oracle answers from)
};

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual void begin(const Task& task) = 0;
  virtual bool answer(const Question& q) = 0;
  // The oracle's own solution (own-reference mode), else empty.
  virtual std::string reference() const { return {}; }
  // Replies that were neither yes nor no and were counted as "no" (see docs/QA.md).
  virtual uint32_t unclear_answers() const { return 0; }
  virtual std::string name() const = 0;
};

// A chat model that an oracle can prompt: local or behind an HTTP endpoint.
class ChatBackend {
 public:
  virtual ~ChatBackend() = default;
  virtual std::string reply(const std::string& user, uint32_t max_tokens) = 0;
  // The model's yes/no answer to the prompt; nullopt if its reply was neither.
  virtual std::optional<bool> yes_no(const std::string& user) = 0;
  virtual std::string name() const = 0;
};

enum class UnclearPolicy { no, fail };  // what a reply that is neither yes nor no counts as

std::unique_ptr<Oracle> make_reference_oracle(std::unique_ptr<ChatBackend> backend, const Prompts& prompts,
                                              OracleMode mode, uint32_t max_reference_tokens,
                                              UnclearPolicy unclear = UnclearPolicy::no);
// The self-refinement control: answers "yes" exactly when the SLM thinks yes is more likely.
std::unique_ptr<Oracle> make_self_oracle(std::string slm_name);

// Parses a free-text reply: "Yes", "no.", "**No**, because ..." -> the bit; anything else -> nullopt.
std::optional<bool> parse_yes_no(const std::string& reply);

}  // namespace llmz::qa
