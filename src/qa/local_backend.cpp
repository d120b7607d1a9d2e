#include "qa/local_backend.h"

#include "common/error.h"

namespace llmz::qa {

YesNoTokens YesNoTokens::of(const detail::LoadedModel& model, bool spaced) {
  const std::string space = spaced ? " " : "";
  const auto yes = model.tokenize(space + "Yes", false), no = model.tokenize(space + "No", false);
  if (yes.empty() || no.empty() || yes[0] == no[0])
    fail(ErrorCode::model, model.path() + ": the tokenizer cannot tell \"" + space + "Yes\" from \"" + space +
                               "No\" by their first token");
  return {yes[0], no[0]};
}

namespace {

class LocalBackend : public ChatBackend {
 public:
  LocalBackend(const detail::LoadedModel& model, uint32_t capacity)
      : generator_(model, capacity), tokens_(YesNoTokens::of(model, /*spaced=*/!model.has_chat_template())) {}

  // A conversation that continues an earlier one is evaluated from where they part (Generator).
  std::string reply(const Conversation& conversation, uint32_t max_tokens) override {
    return generator_.greedy(generator_.model().chat_tokens(conversation), max_tokens);
  }
  std::optional<bool> yes_no(const Conversation& conversation) override {
    return tokens_.prefers_yes(generator_.logits_after(generator_.model().chat_tokens(conversation)));
  }
  std::string name() const override { return generator_.model().name(); }

 private:
  detail::Generator generator_;
  YesNoTokens tokens_;
};

}  // namespace

std::unique_ptr<ChatBackend> make_local_backend(const detail::LoadedModel& model, uint32_t capacity) {
  return std::make_unique<LocalBackend>(model, capacity);
}

std::unique_ptr<Oracle> make_model_oracle(const Model& llm, const Prompts& prompts, const OracleOptions& options) {
  return make_reference_oracle(make_local_backend(detail::loaded_model(llm), options.context_tokens), prompts,
                               options.mode, options.max_reference_tokens, options.unclear);
}

}  // namespace llmz::qa
