// Candidates mode (docs/QA.md): the SLM's solutions to a problem grouped by what they answer, so that
// its questions name each distinct answer once, the most frequent first.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "qa/prompts.h"

namespace llmz::qa {

struct CandidateGroup {
  std::string answer;    // what a question names: the stated final answer, or the program
  std::string solution;  // the first solution that gave it: the final answer if it is confirmed
  uint32_t votes = 0;    // solutions that gave it
};

// Solutions that state no answer of this kind are left out. More votes come first; equal votes keep
// the order of their first solutions. Final answers are grouped by value ("18", "$18.00"), programs
// by their text.
std::vector<CandidateGroup> group_candidates(const std::vector<std::string>& solutions, CandidateKind kind);

}  // namespace llmz::qa
