// How `llmz eval rewrite` and `llmz eval resolve` have a solver read the texts of a problem: one
// code path, so a second solver is graded exactly as the first was.
#pragma once
#include <string>
#include <vector>

#include "eval/grading.h"
#include "eval/rewrite_rows.h"
#include "llmz/eval.h"
#include "llmz/lossy.h"
#include "model/generator.h"

namespace llmz::eval {

// A text as the solver is shown it: result is what it was meant to carry, hidden from the solver
// (programs hide nothing: they are shown whole).
struct ShownText {
  std::string text;
  std::string result;
};

// The solver's context and how many of a problem's texts it solves side by side (every schedule
// gives the same replies: design.md section 4).
inline constexpr uint32_t kSolverCapacity = 4096;
inline uint32_t solver_slots() {
  return detail::Generator::slots_side_by_side(1 + 3 * std::size(kRewriteSources), kSolverCapacity);
}

// The final answer a text states ("" for programs, and where it states none).
std::string stated_answer(const std::string& text);

// The prompts texts are rewritten and solved with: for programs (code) or worked solutions.
const lossy::RewritePrompts& rewrite_prompts_for(bool code);

// What the solver makes of each text, all solved side by side and graded as benchmark replies are
// (programs by tests). Greedily unless reading says to sample.
std::vector<Grade> solve_texts(detail::Generator& solver, const lossy::RewritePrompts& prompts, const Problem& p,
                               const std::vector<ShownText>& texts, uint32_t max_tokens, const Reading& reading = {});

}  // namespace llmz::eval
