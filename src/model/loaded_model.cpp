#include "model/loaded_model.h"

#include <xxhash.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "gguf.h"
#include "model/fingerprint.h"

namespace llmz::detail {

void init_llama_backend() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* show = std::getenv("LLMZ_LLAMA_LOG");
    if (!show || std::string(show) != "1") llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_backend_init();
  });
}

namespace {

// Float weight matrices go through llamafile's tinyBLAS for batches and through ggml's vec_dot for
// single tokens, which sum in another order: such models cannot keep the determinism contract.
void require_quantized_matrices(const std::string& path, const std::string& what) {
  const GgufMetadata ctx = open_gguf_metadata(path);
  for (int64_t i = 0; i < gguf_get_n_tensors(ctx.get()); i++) {
    const ggml_type type = gguf_get_tensor_type(ctx.get(), i);
    const bool matrix = gguf_get_tensor_ne(ctx.get(), i)[1] > 1;
    if (matrix && (type == GGML_TYPE_F32 || type == GGML_TYPE_F16 || type == GGML_TYPE_BF16))
      fail(ErrorCode::model, path + ": tensor " + gguf_get_tensor_name(ctx.get(), i) + " is " + ggml_type_name(type) +
                                 "; llmz needs quantized " + what);
  }
}

}  // namespace

LoadedModel::LoadedModel(const ModelOptions& options)
    : path_(options.path),
      threads_(options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()))),
      fixed_threads_(options.threads > 0) {
  init_llama_backend();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec))
    fail(ErrorCode::model, "model file not found: " + path_ + " (run ./scripts/setup.sh to fetch the default models)");
  file_size_ = std::filesystem::file_size(path_, ec);
  require_quantized_matrices(path_, "weight matrices (make a Q8_0 copy with llmz-requantize)");
  fingerprint_ = model_fingerprint(path_);

  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;         // CPU only: GPU kernels change the numbers (design §4)
  mp.use_extra_bufts = false;  // repacked weights use other kernels for one row than for many
  model_ = llama_model_load_from_file(path_.c_str(), mp);
  if (!model_) fail(ErrorCode::model, path_ + ": llama.cpp cannot load this model");
  vocab_ = llama_model_get_vocab(model_);

  char buf[256];
  name_ = llama_model_meta_val_str(model_, "general.name", buf, sizeof buf) > 0
              ? std::string(buf)
              : std::filesystem::path(path_).filename().string();

  const int32_t n = llama_vocab_n_tokens(vocab_);
  pieces_.resize(size_t(n));
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  std::string tmp(64, '\0');
  for (llama_token t = 0; t < n; t++) {
    int32_t len = llama_token_to_piece(vocab_, t, tmp.data(), int32_t(tmp.size()), 0, false);
    if (len < 0) {
      tmp.resize(size_t(-len));
      len = llama_token_to_piece(vocab_, t, tmp.data(), int32_t(tmp.size()), 0, false);
    }
    pieces_[size_t(t)].assign(tmp.data(), size_t(std::max(len, 0)));
    const char* text = llama_vocab_get_text(vocab_, t);
    int32_t attr = llama_vocab_get_attr(vocab_, t);
    XXH3_64bits_update(st, text, strlen(text) + 1);
    XXH3_64bits_update(st, &attr, sizeof attr);
  }
  tokenizer_hash_ = XXH3_64bits_digest(st);
  XXH3_freeState(st);

  start_token_ = llama_vocab_bos(vocab_);
  if (start_token_ == LLAMA_TOKEN_NULL) start_token_ = llama_vocab_eos(vocab_);
  if (start_token_ == LLAMA_TOKEN_NULL) fail(ErrorCode::model, path_ + ": model has neither a BOS nor an EOS token");

  for (const auto& a : options.adapters) {
    if (!std::filesystem::is_regular_file(a.path, ec)) fail(ErrorCode::model, "LoRA adapter not found: " + a.path);
    if (!std::isfinite(a.scale)) fail(ErrorCode::usage, a.path + ": the adapter scale must be a finite number");
    require_quantized_matrices(a.path, "adapter tensors (llmz lora writes Q8_0)");
    llama_adapter_lora* lora = llama_adapter_lora_init(model_, a.path.c_str());
    if (!lora) fail(ErrorCode::model, a.path + ": not a LoRA adapter for " + path_ + " (another base model?)");
    adapters_.push_back(lora);
    adapter_scales_.push_back(a.scale);
    char an[256];
    const std::string file_name = std::filesystem::path(a.path).filename().string();
    adapter_infos_.push_back({llama_adapter_meta_val_str(lora, "general.name", an, sizeof an) > 0 ? an : file_name,
                              model_fingerprint(a.path), a.scale});
  }
}

void LoadedModel::apply_adapters(llama_context* ctx) const {
  if (adapters_.empty()) return;
  if (llama_set_adapters_lora(ctx, const_cast<llama_adapter_lora**>(adapters_.data()), adapters_.size(),
                              const_cast<float*>(adapter_scales_.data())) != 0)
    fail(ErrorCode::model, path_ + ": llama.cpp cannot apply the LoRA adapters");
}

LoadedModel::~LoadedModel() {
  for (auto* a : adapters_) llama_adapter_lora_free(a);
  if (model_) llama_model_free(model_);
}

std::vector<llama_token> LoadedModel::tokenize(std::string_view text, bool parse_special) const {
  if (text.size() > size_t(INT32_MAX)) fail(ErrorCode::unsupported, "text too long to tokenize at once");
  std::vector<llama_token> out(text.size() + 2);
  int32_t n =
      llama_tokenize(vocab_, text.data(), int32_t(text.size()), out.data(), int32_t(out.size()), false, parse_special);
  if (n < 0) {
    out.resize(size_t(-n));
    n = llama_tokenize(vocab_, text.data(), int32_t(text.size()), out.data(), int32_t(out.size()), false,
                       parse_special);
  }
  out.resize(size_t(std::max(n, 0)));
  return out;
}

std::vector<llama_token> LoadedModel::context_prefix(std::string_view context) const {
  if (context.empty()) return {start_token_};
  return chat_tokens(context);
}

std::vector<llama_token> LoadedModel::chat_tokens(std::string_view user, std::string_view assistant_start) const {
  return chat_tokens(user_turn(std::string(user)), assistant_start);
}

std::vector<llama_token> LoadedModel::chat_tokens(const Conversation& conversation,
                                                  std::string_view assistant_start) const {
  if (conversation.empty()) fail(ErrorCode::usage, "a conversation needs at least one message");
  std::vector<llama_token> out{start_token_};
  std::string text;
  std::vector<llama_chat_message> messages;
  for (const auto& m : conversation) {
    text += (messages.empty() ? "" : "\n\n") + m.content;
    messages.push_back({m.role.c_str(), m.content.c_str()});
  }
  if (const char* tmpl = llama_model_chat_template(model_, nullptr)) {
    std::string formatted(2 * text.size() + 512, '\0');
    int32_t len = llama_chat_apply_template(tmpl, messages.data(), messages.size(), true, formatted.data(),
                                            int32_t(formatted.size()));
    if (len > int32_t(formatted.size())) {
      formatted.resize(size_t(len));
      len = llama_chat_apply_template(tmpl, messages.data(), messages.size(), true, formatted.data(),
                                      int32_t(formatted.size()));
    }
    if (len > 0) text.assign(formatted.data(), size_t(len));
  }
  auto tokens = tokenize(text, /*parse_special=*/true);
  // Templates that spell out BOS themselves would otherwise give it twice.
  auto begin = !tokens.empty() && tokens.front() == start_token_ ? tokens.begin() + 1 : tokens.begin();
  out.insert(out.end(), begin, tokens.end());
  if (!assistant_start.empty()) {
    auto reply = tokenize(assistant_start, /*parse_special=*/false);
    out.insert(out.end(), reply.begin(), reply.end());
  }
  return out;
}

}  // namespace llmz::detail
