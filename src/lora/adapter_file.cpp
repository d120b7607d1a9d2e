#include "lora/adapter_file.h"

#include <filesystem>

#include "common/error.h"
#include "ggml.h"
#include "gguf.h"
#include "model/fingerprint.h"
#include "model/gguf_writer.h"

namespace llmz::lora {

std::regex target_pattern(const std::vector<std::string>& targets) {
  std::string alternatives;
  for (const auto& t : targets) alternatives += (alternatives.empty() ? "" : "|") + t;
  return std::regex("blk\\.[0-9]+\\.(" + alternatives + ")\\.weight");
}

std::vector<LoraFactors> zero_factors(const std::string& gguf_path, const std::regex& targets, int64_t rank) {
  ggml_context* shapes = nullptr;  // tensor shapes, no data
  gguf_init_params p = {/*no_alloc=*/true, &shapes};
  gguf_context* g = gguf_init_from_file(gguf_path.c_str(), p);
  if (!g) fail(ErrorCode::model, gguf_path + ": not a readable GGUF file");
  std::vector<LoraFactors> out;
  for (int64_t i = 0; i < gguf_get_n_tensors(g); i++) {
    const std::string name = gguf_get_tensor_name(g, i);
    const ggml_tensor* t = ggml_get_tensor(shapes, name.c_str());
    if (!std::regex_match(name, targets) || t->ne[0] % 32 != 0) continue;
    out.push_back({name, t->ne[0], t->ne[1], rank, std::vector<float>(size_t(rank * t->ne[0])),  // ggml's ne[0]: inputs
                   std::vector<float>(size_t(t->ne[1] * rank))});
  }
  gguf_free(g);
  ggml_free(shapes);
  return out;
}

void write_adapter(const std::string& path, const std::string& architecture, const std::string& name,
                   const std::vector<LoraFactors>& factors, FactorType type, const PromptProfile* prompts) {
  if (factors.empty()) fail(ErrorCode::usage, "an adapter needs at least one tensor");
  const int64_t rank = factors.front().rank;
  GgufWriter w(2 * factors.size());
  gguf_set_val_str(w.meta(), "general.type", "adapter");
  gguf_set_val_str(w.meta(), "general.architecture", architecture.c_str());
  gguf_set_val_str(w.meta(), "general.name", name.c_str());
  gguf_set_val_str(w.meta(), "adapter.type", "lora");
  gguf_set_val_f32(w.meta(), "adapter.lora.alpha", float(rank));
  if (prompts && !prompts->counts.empty()) store_prompt_profile(w.meta(), *prompts);
  for (const auto& f : factors) {
    if (f.rank != rank) fail(ErrorCode::usage, f.tensor + ": every pair of an adapter has the same rank");
    if (f.a.size() != size_t(f.rank * f.n_in) || f.b.size() != size_t(f.n_out * f.rank))
      fail(ErrorCode::usage, f.tensor + ": factor sizes do not match n_in, n_out and rank");
    if (type == FactorType::q8_0) {
      w.add_q8(f.tensor + ".lora_a", f.a, f.n_in);
      w.add_q8(f.tensor + ".lora_b", f.b, f.rank);
    } else {
      w.add_f32(f.tensor + ".lora_a", f.a, f.n_in);
      w.add_f32(f.tensor + ".lora_b", f.b, f.rank);
    }
  }
  w.write(path);
}

void set_prompt_profile(const std::string& adapter_path, const PromptProfile& prompts) {
  if (!is_adapter_metadata(open_gguf_metadata(adapter_path).get()))
    fail(ErrorCode::model, adapter_path + ": not a LoRA adapter (general.type is not \"adapter\")");
  ggml_context* tensors = nullptr;  // the tensor data
  gguf_context* old = gguf_init_from_file(adapter_path.c_str(), {/*no_alloc=*/false, &tensors});
  if (!old) fail(ErrorCode::model, adapter_path + ": not a readable GGUF file");
  // A new file: the same keys plus the profile, the same tensors in the same order.
  gguf_context* g = gguf_init_empty();
  gguf_set_kv(g, old);
  store_prompt_profile(g, prompts);
  for (int64_t i = 0; i < gguf_get_n_tensors(old); i++)
    gguf_add_tensor(g, ggml_get_tensor(tensors, gguf_get_tensor_name(old, i)));
  const std::string tmp = adapter_path + ".tmp";
  const bool written = gguf_write_to_file(g, tmp.c_str(), /*only_meta=*/false);
  gguf_free(g);
  gguf_free(old);
  ggml_free(tensors);
  std::error_code ec;
  if (!written || (std::filesystem::rename(tmp, adapter_path, ec), ec)) {
    std::filesystem::remove(tmp, ec);
    fail(ErrorCode::io, adapter_path + ": cannot write the adapter");
  }
}

}  // namespace llmz::lora
