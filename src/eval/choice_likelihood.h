// Multiple choice answered the way base (pretrained) models are measured, as lm-evaluation-harness's
// acc_norm does: the option whose text is likeliest after the question, per byte. A base model given
// instructions mostly echoes them (Gemma 3 270M as shipped here answers 0% of ARC that way) while it
// ranks the options well; instruction models are measured by what they write.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "model/generator.h"

namespace llmz::eval {

// Each choice's log-likelihood after "Question: <stem>\nAnswer:", per byte of " <choice>" (-inf for
// an empty one).
std::vector<double> choice_scores(detail::Generator& model, const std::string& stem,
                                  const std::vector<std::string>& choices);
// Index of the highest score (ties: the first).
size_t likeliest_choice(detail::Generator& model, const std::string& stem, const std::vector<std::string>& choices);

}  // namespace llmz::eval
