// The QA protocol's prompt templates (prompts/qa-v1.json, qa-choice-v2.json and qa-candidates-v1.json
// are built in; users may pass their own file).
// The templates change every generated word, so a file's hash goes into each .qa header.
#pragma once
#include <cstdint>
#include <string>

#include "common/templates.h"
#include "llmz/qa.h"

namespace llmz::qa {

using llmz::fill;

// What candidates mode asks about (Prompts::candidate_answer): sampled solutions grouped by their final
// answer or their program, or a multiple-choice problem's own choices. Fails with a usage error if the
// prompts lack candidate templates or name another kind.
enum class CandidateKind { final_answer, program, choice };
CandidateKind candidate_kind(const Prompts& p);

}  // namespace llmz::qa
