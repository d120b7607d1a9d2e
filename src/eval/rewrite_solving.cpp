#include "eval/rewrite_solving.h"

#include "lossy/answer_check.h"
#include "qa/answers.h"

namespace llmz::eval {

std::string stated_answer(const std::string& text) { return qa::extract_answer(text).value_or(""); }

const lossy::RewritePrompts& rewrite_prompts_for(bool code) {
  return code ? lossy::code_rewrite_prompts() : lossy::default_rewrite_prompts();
}

std::vector<Grade> solve_texts(detail::Generator& solver, const lossy::RewritePrompts& prompts, const Problem& p,
                               const std::vector<ShownText>& texts, uint32_t max_tokens, const Reading& reading) {
  std::vector<std::vector<llama_token>> requests;
  for (const auto& t : texts)
    requests.push_back(lossy::detail::solve_request(
        solver.model(), prompts, p.question,
        p.kind == AnswerKind::code ? t.text : lossy::detail::answer_hidden(t.text, t.result)));
  std::vector<Grade> grades;
  for (const auto& reply : solver.sample(requests, max_tokens, reading.temperature, reading.seed))
    grades.push_back(grade(p, reply));
  return grades;
}

}  // namespace llmz::eval
