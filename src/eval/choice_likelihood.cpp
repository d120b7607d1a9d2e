#include "eval/choice_likelihood.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace llmz::eval {

namespace {

// The option's tokens as lm-evaluation-harness splits them: tokenized with the question, cut where the
// question's tokens end (a tokenizer that adds a leading space would double it on the option alone);
// on its own where the joint tokens do not start with the question's.
std::vector<llama_token> option_tokens(const detail::LoadedModel& m, const std::string& question,
                                       const std::vector<llama_token>& question_tokens, const std::string& choice) {
  const auto whole = m.tokenize(question + " " + choice, /*parse_special=*/false);
  if (whole.size() > question_tokens.size() &&
      std::equal(question_tokens.begin(), question_tokens.end(), whole.begin()))
    return {whole.begin() + ptrdiff_t(question_tokens.size()), whole.end()};
  return m.tokenize(" " + choice, false);
}

}  // namespace

std::vector<double> choice_scores(detail::Generator& model, const std::string& stem,
                                  const std::vector<std::string>& choices) {
  const auto& m = model.model();
  const std::string question = "Question: " + stem + "\nAnswer:";
  const auto question_tokens = m.tokenize(question, /*parse_special=*/false);
  std::vector<llama_token> context{m.start_token()};
  context.insert(context.end(), question_tokens.begin(), question_tokens.end());
  std::vector<double> scores;
  for (const std::string& choice : choices) {
    // The generator keeps the shared question in its cache: each option costs its own tokens only.
    const auto option = option_tokens(m, question, question_tokens, choice);
    const double log_p =
        option.empty() ? -INFINITY : double(model.log2_likelihood(context, option));  // an empty option is no answer
    scores.push_back(log_p / double(choice.size() + 1));
  }
  return scores;
}

size_t likeliest_choice(detail::Generator& model, const std::string& stem, const std::vector<std::string>& choices) {
  if (choices.empty()) fail(ErrorCode::usage, "a multiple-choice problem without choices");
  const auto scores = choice_scores(model, stem, choices);
  return size_t(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

}  // namespace llmz::eval
