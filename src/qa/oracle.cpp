#include "qa/oracle.h"

#include <cctype>

#include "common/error.h"

namespace llmz::qa {

const char* to_string(OracleMode m) {
  switch (m) {
    case OracleMode::own_reference:
      return "own-reference";
    case OracleMode::gold_reference:
      return "gold-reference";
    case OracleMode::self:
      return "self";
  }
  return "?";
}

OracleMode parse_oracle_mode(const std::string& s) {
  for (auto m : {OracleMode::own_reference, OracleMode::gold_reference, OracleMode::self})
    if (s == to_string(m)) return m;
  fail(ErrorCode::usage, "unknown oracle mode '" + s + "' (own-reference, gold-reference or self)");
}

std::optional<bool> parse_yes_no(const std::string& reply) {
  std::string word;
  for (char c : reply) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += char(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      break;
    }
  }
  if (word == "yes") return true;
  if (word == "no") return false;
  return std::nullopt;
}

namespace {

class ReferenceOracle : public Oracle {
 public:
  ReferenceOracle(std::unique_ptr<ChatBackend> backend, const Prompts& prompts, OracleMode mode,
                  uint32_t max_reference_tokens, UnclearPolicy unclear)
      : backend_(std::move(backend)),
        prompts_(prompts),
        mode_(mode),
        max_reference_tokens_(max_reference_tokens),
        unclear_(unclear) {}

  OracleMode mode() const override { return mode_; }

  void begin(const Task& task) override {
    task_ = task;
    if (mode_ == OracleMode::gold_reference) {
      if (task.gold.empty()) fail(ErrorCode::usage, "gold-reference mode needs the problem's answer (--gold)");
      reference_ = "The correct final answer is: " + task.gold;
    } else {
      reference_prompt_ = fill(prompts_.oracle_reference, {{"problem", task.problem}});
      reference_ = backend_->reply(user_turn(reference_prompt_), max_reference_tokens_);
    }
  }

  bool answer(const Question& q) override {
    Conversation c;
    if (mode_ == OracleMode::own_reference && !prompts_.oracle_followup.empty()) {
      // The next turn after its own solution: a local model whose cache still holds the conversation
      // it wrote the solution in evaluates only this turn (and any tokens where the solution's text,
      // tokenized again, differs from the tokens it wrote).
      c = {{"user", reference_prompt_},
           {"assistant", reference_},
           {"user", fill(prompts_.oracle_followup, {{"attempt", task_.attempt}, {"question", q.text}})}};
    } else {
      c = user_turn(fill(
          prompts_.oracle_answer,
          {{"problem", task_.problem}, {"reference", reference_}, {"attempt", task_.attempt}, {"question", q.text}}));
    }
    // One retry with a plainer demand, then the documented policy (docs/QA.md).
    for (int tries = 0; tries < 2; tries++) {
      if (auto bit = backend_->yes_no(c)) return *bit;
      c.back().content += "\nReply with exactly one word: Yes or No.";
    }
    if (unclear_ == UnclearPolicy::fail)
      fail(ErrorCode::model, backend_->name() + " answered neither yes nor no to: " + q.text);
    unclear_count_++;
    return false;
  }

  std::string reference() const override { return mode_ == OracleMode::own_reference ? reference_ : ""; }
  uint32_t unclear_answers() const override { return unclear_count_; }
  std::string name() const override { return backend_->name(); }

 private:
  std::unique_ptr<ChatBackend> backend_;
  Prompts prompts_;
  OracleMode mode_;
  uint32_t max_reference_tokens_;
  UnclearPolicy unclear_;
  Task task_;
  std::string reference_prompt_, reference_;
  uint32_t unclear_count_ = 0;
};

class SelfOracle : public Oracle {
 public:
  explicit SelfOracle(std::string name) : name_(std::move(name)) {}
  OracleMode mode() const override { return OracleMode::self; }
  void begin(const Task&) override {}
  bool answer(const Question& q) override { return q.slm_yes >= (1u << 15); }
  std::string name() const override { return name_; }  // the header names the mode beside it

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Oracle> make_reference_oracle(std::unique_ptr<ChatBackend> backend, const Prompts& prompts,
                                              OracleMode mode, uint32_t max_reference_tokens, UnclearPolicy unclear) {
  if (mode == OracleMode::self) fail(ErrorCode::usage, "self mode has no reference oracle");
  return std::make_unique<ReferenceOracle>(std::move(backend), prompts, mode, max_reference_tokens, unclear);
}

std::unique_ptr<Oracle> make_self_oracle(std::string slm_name) {
  return std::make_unique<SelfOracle>(std::move(slm_name));
}

}  // namespace llmz::qa
