// What a solver is shown of a text that should carry a result, and the sender's check built on it
// (llmz::lossy::answer_check). `llmz eval rewrite` grades with the same view through its own solver,
// so a check and a grade of one text are one request, answered once.
#pragma once
#include <string>
#include <vector>

#include "llmz/lossy.h"
#include "model/generator.h"

namespace llmz::lossy::detail {

// The text with its answer statement removed and every copy of answer masked: the reader must work
// the result out (qa::hide_answer, qa::mask_answer).
std::string answer_hidden(const std::string& text, const std::string& answer);

// The solver's request to finish the text shown as a solution of problem (prompts.solve_from).
std::vector<llama_token> solve_request(const llmz::detail::LoadedModel& solver, const RewritePrompts& prompts,
                                       const std::string& problem, const std::string& shown);

// answer_check through solver (which remembers its replies): true when it finishes the text, with
// answer hidden, at answer.
CandidateCheck answer_check(llmz::detail::Generator& solver, const RewritePrompts& prompts, const std::string& problem,
                            const std::string& answer, uint32_t max_tokens);

}  // namespace llmz::lossy::detail
