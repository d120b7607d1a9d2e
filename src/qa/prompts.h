// The QA protocol's prompt templates (prompts/qa-v1.json and qa-choice-v2.json are built in; users may
// pass their own file).
// The templates change every generated word, so a file's hash goes into each .qa header.
#pragma once
#include <cstdint>
#include <string>

#include "common/templates.h"

namespace llmz::qa {

struct Prompts {
  std::string version;
  std::string attempt;           // {problem}
  std::string questions_batch;   // {problem} {attempt} {n}
  std::string question_next;     // {problem} {attempt} {transcript}
  std::string answer;            // {problem} {attempt} {transcript} {question}: the SLM's P(yes)
  std::string oracle_reference;  // {problem}: the LLM's own solution
  std::string oracle_answer;     // {problem} {reference} {attempt} {question}
  std::string revision;          // {problem} {attempt} {transcript}
  // How the SLM's reply to question_next starts (part of the question), and how its revision starts
  // (part of the final answer). Either may hold one placeholder that names one of the problem's
  // "A. ..." choices: {choice}, the letter the SLM scores highest there (the line then goes on
  // greedily); {choice_line}, "C. <text>" for the choice whose text the SLM finds likeliest per byte
  // there (the reply ends with it). docs/QA.md.
  std::string question_prefix;
  std::string revision_prefix;
  uint64_t hash = 0;  // XXH3-64 of the file's bytes
};

const Prompts& default_prompts();
// prompts/qa-choice-v2.json, built in: for multiple-choice problems (questions about the choices, a
// revision that names one).
const Prompts& choice_prompts();
// Reads a template file; every template must be present and use only its own placeholders.
Prompts load_prompts(const std::string& path);
Prompts parse_prompts(const std::string& json_text, const std::string& origin);

using llmz::fill;

}  // namespace llmz::qa
