// The question-asking protocol (design §5, docs/QA.md). One function runs it for the sender and the
// receiver alike; only the Channel differs: the sender's asks the oracle and codes each answer, the
// receiver's decodes it. Every SLM step is greedy on the determinism-contract evaluator, so both
// ends write the same attempt, the same questions and the same final answer.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "llmz/qa.h"
#include "model/generator.h"
#include "qa/answer_coder.h"
#include "qa/oracle.h"
#include "qa/prompts.h"

namespace llmz::qa {

// In question_prefix or revision_prefix: the SLM names one of the problem's choices here, by its
// likeliest letter ({choice}) or by the likeliest choice text per byte ({choice_line}: "C. <text>",
// and the reply ends there).
inline constexpr const char* kChoicePlaceholder = "{choice}";
inline constexpr const char* kChoiceLinePlaceholder = "{choice_line}";

class Channel {
 public:
  virtual ~Channel() = default;
  virtual void attempt_ready(const std::string& attempt) = 0;
  // The answer to q, coded (sender) or decoded (receiver) under the coder's mixture of q.slm_yes.
  virtual bool answer(const Question& q, AnswerCoder& coder) = 0;
};

// Sender side: the oracle answers and the coder records.
class OracleChannel : public Channel {
 public:
  OracleChannel(Oracle& oracle, std::string problem, std::string gold)
      : oracle_(oracle), problem_(std::move(problem)), gold_(std::move(gold)) {}
  void attempt_ready(const std::string& attempt) override { oracle_.begin({problem_, attempt, gold_}); }
  bool answer(const Question& q, AnswerCoder& coder) override;

 private:
  Oracle& oracle_;
  std::string problem_, gold_;
};

// Receiver side: the answers come out of the coded bits.
class DecodingChannel : public Channel {
 public:
  void attempt_ready(const std::string&) override {}
  bool answer(const Question& q, AnswerCoder& coder) override;
};

// questioner: the model that writes the questions; the SLM itself unless given. Another model there
// (the eval's QA+ upper bound) means a receiver cannot rebuild the questions: never for files.
Transcript run_protocol(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                        const std::string& problem, Channel& channel, AnswerCoder& coder, const Observer& observer = {},
                        detail::Generator* questioner = nullptr);

// The SLM's first answer to the problem: the protocol's first step, also the eval's "SLM alone".
std::string attempt(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                    const std::string& problem);

// Candidates mode: the solutions the SLM weighs, its attempt and then settings.questions - 1 samples
// at kCandidateTemperature (seeded by the problem's XXH3-64 plus the sample's index), which both ends
// draw alike (Generator::sample).
inline constexpr float kCandidateTemperature = 0.7f;
std::vector<std::string> candidate_solutions(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                                             const std::string& problem, const std::string& attempt);

// How many conversations the SLM's Generator should keep: in candidates mode its samples are written
// side by side, one per conversation (none are drawn when the candidates are a problem's choices).
uint32_t slm_slots(const Prompts& prompts, const Settings& settings);

// The SLM's corrected answer after these turns: the protocol's last step, exposed so that the eval
// can score every N of one sequential run.
std::string revise(detail::Generator& slm, const Prompts& prompts, const Settings& settings, const std::string& problem,
                   const std::string& attempt, const std::vector<Turn>& turns);

// Helpers, exposed for tests.
std::vector<std::string> parse_questions(const std::string& text, uint32_t n);
std::string format_transcript(const std::vector<Turn>& turns);

}  // namespace llmz::qa
