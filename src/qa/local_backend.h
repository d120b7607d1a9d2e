// A local GGUF model as a chat backend (greedy replies), and the "Yes"/"No" tokens whose scores
// stand for a model's answer to a yes/no question.
#pragma once
#include <memory>
#include <span>

#include "model/generator.h"
#include "qa/oracle.h"

namespace llmz::qa {

struct YesNoTokens {
  llama_token yes, no;
  // The first token of "Yes" and of "No"; spaced: of " Yes" and " No", the way a base model (one
  // without a chat template) continues a prompt that ends in "Answer:".
  static YesNoTokens of(const detail::LoadedModel& model, bool spaced = false);
  bool prefers_yes(std::span<const float> logits) const { return logits[size_t(yes)] >= logits[size_t(no)]; }
};

std::unique_ptr<ChatBackend> make_local_backend(const detail::LoadedModel& model, uint32_t capacity);

}  // namespace llmz::qa
