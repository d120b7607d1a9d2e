// Thin wrapper over a llama.cpp model: loading, identity, tokenizer.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat.h"
#include "llama.h"
#include "llmz/llmz.h"
#include "model/compute_profile.h"

namespace llmz::detail {

class LoadedModel {
 public:
  explicit LoadedModel(const ModelOptions& options);
  ~LoadedModel();
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  llama_model* model() const { return model_; }
  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }
  const std::string& fingerprint() const { return fingerprint_; }
  uint64_t tokenizer_hash() const { return tokenizer_hash_; }
  uint32_t n_vocab() const { return uint32_t(pieces_.size()); }
  int threads() const { return threads_; }
  bool fixed_threads() const { return fixed_threads_; }  // false: threads() is a most, chosen per call
  uint64_t file_size() const { return file_size_; }
  Compute compute_profile() const { return compute_.profile(); }
  const std::vector<AdapterInfo>& adapters() const { return adapter_infos_; }
  // Applies the adapters to a context made from model(): every context that evaluates must.
  void apply_adapters(llama_context* ctx) const;

  // Text as tokens, with special-token syntax treated as plain text unless parse_special.
  std::vector<llama_token> tokenize(std::string_view text, bool parse_special) const;
  // The exact bytes a token stands for when it occurs inside a text.
  const std::string& piece(llama_token t) const { return pieces_[size_t(t)]; }
  // The first token of every sequence: BOS, or EOS for models without one.
  llama_token start_token() const { return start_token_; }
  // The prefix that conditions every chunk on a context (a prompt): the chat template's user turn
  // followed by the assistant header when the model has a template, else the raw text.
  std::vector<llama_token> context_prefix(std::string_view context) const;
  // A conversation's tokens: the start token, the user turn and the assistant header (the chat
  // template's, or the raw text without one), then assistant_start, the beginning of the reply.
  std::vector<llama_token> chat_tokens(std::string_view user, std::string_view assistant_start = {}) const;
  // The same for a conversation of several turns (without a template: the messages' texts, each
  // after a blank line).
  std::vector<llama_token> chat_tokens(const Conversation& conversation, std::string_view assistant_start = {}) const;
  // False for base (pretrained) models: they continue text rather than follow instructions.
  bool has_chat_template() const { return llama_model_chat_template(model_, nullptr) != nullptr; }
  // True for tokens that end a reply (end of turn, end of text).
  bool ends_generation(llama_token t) const { return llama_vocab_is_eog(vocab_, t); }

 private:
  ComputeLease compute_;  // first: the CPU backend stays loaded while the model is
  llama_model* model_ = nullptr;
  const llama_vocab* vocab_ = nullptr;
  std::string path_, name_, fingerprint_;
  uint64_t tokenizer_hash_ = 0;
  uint64_t file_size_ = 0;
  int threads_ = 1;
  bool fixed_threads_ = true;
  llama_token start_token_ = LLAMA_TOKEN_NULL;
  std::vector<std::string> pieces_;
  std::vector<llama_adapter_lora*> adapters_;
  std::vector<float> adapter_scales_;
  std::vector<AdapterInfo> adapter_infos_;
};

// Called once per process: quiet llama.cpp's logging (LLMZ_LLAMA_LOG=1 shows it) and init the backend.
void init_llama_backend();

}  // namespace llmz::detail
