#include "eval/choice_likelihood.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace llmz::eval {

namespace {

double log_probability(std::span<const float> logits, llama_token t) {
  const float top = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float x : logits) sum += std::exp(double(x) - top);
  return double(logits[size_t(t)]) - top - std::log(sum);
}

}  // namespace

std::vector<double> choice_scores(detail::Generator& model, const std::string& stem, const std::vector<std::string>& choices) {
  const auto& m = model.model();
  std::vector<llama_token> context{m.start_token()};
  const auto question = m.tokenize("Question: " + stem + "\nAnswer:", /*parse_special=*/false);
  context.insert(context.end(), question.begin(), question.end());
  std::vector<double> scores;
  for (const std::string& choice : choices) {
    // The generator keeps the shared question in its cache: each option costs its own tokens only.
    std::vector<llama_token> tokens = context;
    double log_p = 0;
    for (llama_token t : m.tokenize(" " + choice, false)) {
      log_p += log_probability(model.logits_after(tokens), t);
      tokens.push_back(t);
    }
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
