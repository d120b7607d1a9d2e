#include "lossy/answer_check.h"

#include <memory>

#include "common/error.h"
#include "common/templates.h"
#include "model/loaded_model.h"
#include "qa/answers.h"

namespace llmz::lossy {

namespace detail {

std::string answer_hidden(const std::string& text, const std::string& answer) {
  return qa::mask_answer(qa::hide_answer(text), answer);
}

std::vector<llama_token> solve_request(const llmz::detail::LoadedModel& solver, const RewritePrompts& prompts,
                                       const std::string& problem, const std::string& shown) {
  return solver.chat_tokens(fill(prompts.solve_from, {{"prompt", problem}, {"solution", shown}}));
}

CandidateCheck answer_check(llmz::detail::Generator& solver, const RewritePrompts& prompts, const std::string& problem,
                            const std::string& answer, uint32_t max_tokens) {
  return [&solver, &prompts, problem, answer, max_tokens](const std::string& text) {
    const auto reply =
        solver.greedy(solve_request(solver.model(), prompts, problem, answer_hidden(text, answer)), max_tokens);
    const auto stated = qa::extract_answer(reply);
    return stated && qa::same_answer(*stated, answer);
  };
}

}  // namespace detail

CandidateCheck answer_check(const Model& solver, const std::string& prompt, std::span<const uint8_t> input,
                            const RewritePrompts& prompts, uint32_t max_tokens) {
  if (input.empty()) fail(ErrorCode::usage, "nothing to rewrite: the input is empty");
  const auto answer = qa::extract_answer(std::string(input.begin(), input.end()));
  if (!answer)
    fail(ErrorCode::usage,
         "the answer check needs an input that states its final answer (\"#### 18\", \"Final answer: 18\", "
         "\\boxed{18} or a last number)");
  const auto& model = llmz::detail::loaded_model(solver);
  const uint32_t capacity = uint32_t(llama_model_n_ctx_train(model.model()));
  // The check outlives this call: it owns its generator and its prompts.
  auto generator = std::make_shared<llmz::detail::Generator>(model, std::min<uint32_t>(capacity, 4096));
  auto owned = std::make_shared<RewritePrompts>(prompts);
  auto check = detail::answer_check(*generator, *owned, prompt, *answer, max_tokens);
  return [generator, owned, check](const std::string& text) { return check(text); };
}

}  // namespace llmz::lossy
