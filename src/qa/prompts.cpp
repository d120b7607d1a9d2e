#include "qa/prompts.h"

#include "common/error.h"
#include "default_prompts.h"  // generated from prompts/*.json
#include "qa/protocol.h"

namespace llmz::qa {

namespace {

const TemplateField kFields[] = {
    {"attempt", {"problem"}},
    {"questions_batch", {"problem", "attempt", "n"}},
    {"question_next", {"problem", "attempt", "transcript"}},
    {"answer", {"problem", "attempt", "transcript", "question"}},
    {"oracle_reference", {"problem"}},
    {"oracle_answer", {"problem", "reference", "attempt", "question"}},
    {"oracle_followup", {"attempt", "question"}, false},
    {"revision", {"problem", "attempt", "transcript"}},
    {"question_prefix", {"choice", "choice_line"}},
    {"revision_prefix", {"choice", "choice_line"}},
    {"candidate_question", {"answer"}, false},
    {"candidate_answer", {}, false},
};

Prompts from_set(TemplateSet set) {
  Prompts p;
  p.version = set.version;
  p.hash = set.hash;
  p.attempt = set.text["attempt"];
  p.questions_batch = set.text["questions_batch"];
  p.question_next = set.text["question_next"];
  p.answer = set.text["answer"];
  p.oracle_reference = set.text["oracle_reference"];
  p.oracle_answer = set.text["oracle_answer"];
  p.oracle_followup = set.text["oracle_followup"];
  p.revision = set.text["revision"];
  p.question_prefix = set.text["question_prefix"];
  p.revision_prefix = set.text["revision_prefix"];
  p.candidate_question = set.text["candidate_question"];
  p.candidate_answer = set.text["candidate_answer"];
  return p;
}

Prompts checked(Prompts p, const std::string& origin) {
  for (const auto* prefix : {&p.question_prefix, &p.revision_prefix}) {
    size_t n = 0;
    for (const char* placeholder : {kChoicePlaceholder, kChoiceLinePlaceholder})
      for (size_t at = prefix->find(placeholder); at != std::string::npos; at = prefix->find(placeholder, at + 1)) n++;
    if (n > 1) fail(ErrorCode::usage, origin + ": a prefix may name one choice only ({choice} or {choice_line}, once)");
  }
  if (!p.candidate_answer.empty()) candidate_kind(p);  // fails on an unknown kind
  return p;
}

}  // namespace

Prompts parse_prompts(const std::string& json_text, const std::string& origin) {
  return checked(from_set(parse_templates(json_text, origin, kFields)), origin);
}

const Prompts& default_prompts() {
  static const Prompts p = parse_prompts(kDefaultQaPromptsJson, "built-in QA prompts");
  return p;
}

const Prompts& choice_prompts() {
  static const Prompts p = parse_prompts(kChoiceQaPromptsJson, "built-in multiple-choice QA prompts");
  return p;
}

const Prompts& candidate_prompts() {
  static const Prompts p = parse_prompts(kCandidateQaPromptsJson, "built-in candidates QA prompts");
  return p;
}

const Prompts& candidate_code_prompts() {
  static const Prompts p = parse_prompts(kCandidateCodeQaPromptsJson, "built-in candidates QA prompts for code");
  return p;
}

const Prompts& candidate_choice_prompts() {
  static const Prompts p =
      parse_prompts(kCandidateChoiceQaPromptsJson, "built-in candidates QA prompts for multiple choice");
  return p;
}

const Prompts* builtin_prompts(uint64_t hash) {
  for (const Prompts* p : {&default_prompts(), &choice_prompts(), &candidate_prompts(), &candidate_code_prompts(),
                           &candidate_choice_prompts()})
    if (p->hash == hash) return p;
  return nullptr;
}

void check_prompts_for(const Prompts& prompts, QuestionMode mode) {
  if (mode == QuestionMode::candidates) candidate_kind(prompts);
}

CandidateKind candidate_kind(const Prompts& p) {
  if (p.candidate_answer == "final answer") return CandidateKind::final_answer;
  if (p.candidate_answer == "program") return CandidateKind::program;
  if (p.candidate_answer == "choice") return CandidateKind::choice;
  if (p.candidate_answer.empty() || p.candidate_question.empty())
    fail(ErrorCode::usage,
         "prompts " + p.version + " have no candidate_question and candidate_answer (candidates mode needs both)");
  fail(ErrorCode::usage, "prompts " + p.version +
                             ": candidate_answer is \"final answer\", \"program\" or \"choice\", not \"" +
                             p.candidate_answer + "\"");
}

Prompts load_prompts(const std::string& path) { return checked(from_set(load_templates(path, kFields)), path); }

}  // namespace llmz::qa
