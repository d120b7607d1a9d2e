#include "qa/prompts.h"

#include "default_prompts.h"  // generated from prompts/*.json

namespace llmz::qa {

namespace {

const TemplateField kFields[] = {
    {"attempt", {"problem"}},
    {"questions_batch", {"problem", "attempt", "n"}},
    {"question_next", {"problem", "attempt", "transcript"}},
    {"answer", {"problem", "attempt", "transcript", "question"}},
    {"oracle_reference", {"problem"}},
    {"oracle_answer", {"problem", "reference", "attempt", "question"}},
    {"revision", {"problem", "attempt", "transcript"}},
    {"question_prefix", {"choice", "choice_line"}},
    {"revision_prefix", {"choice", "choice_line"}},
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
  p.revision = set.text["revision"];
  p.question_prefix = set.text["question_prefix"];
  p.revision_prefix = set.text["revision_prefix"];
  return p;
}

}  // namespace

Prompts parse_prompts(const std::string& json_text, const std::string& origin) {
  return from_set(parse_templates(json_text, origin, kFields));
}

const Prompts& default_prompts() {
  static const Prompts p = parse_prompts(kDefaultQaPromptsJson, "built-in QA prompts");
  return p;
}

const Prompts& choice_prompts() {
  static const Prompts p = parse_prompts(kChoiceQaPromptsJson, "built-in multiple-choice QA prompts");
  return p;
}

Prompts load_prompts(const std::string& path) { return from_set(load_templates(path, kFields)); }

}  // namespace llmz::qa
