// LoRA adapters as llama.cpp reads them: a GGUF with general.type "adapter", adapter.type "lora" and,
// for each adapted base tensor W (n_in -> n_out), the pair "<W>.lora_a" (n_in -> rank) and
// "<W>.lora_b" (rank -> n_out). llama.cpp computes W x + scale * alpha / rank * B (A x); files written
// here set alpha = rank, so the scale given at use is the whole factor. Adapters used for coding store
// both factors Q8_0 (llmz's determinism needs quantized matrices, design §4), so n_in and rank are
// multiples of 32; training works on F32 factors.
#pragma once
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "routing/prompt_profile.h"

namespace llmz::lora {

struct LoraFactors {
  std::string tensor;  // the base tensor, e.g. "blk.0.attn_q.weight"
  int64_t n_in = 0, n_out = 0, rank = 0;
  std::vector<float> a;  // rank rows of n_in values
  std::vector<float> b;  // n_out rows of rank values
};

// "blk.N.<target>.weight" for one of the targets (e.g. "attn_q", "ffn_up").
std::regex target_pattern(const std::vector<std::string>& targets);

// All-zero factors of this rank for every tensor of a GGUF file that the pattern matches and whose rows
// a Q8_0 factor can hold (a multiple of 32 inputs), in file order.
std::vector<LoraFactors> zero_factors(const std::string& gguf_path, const std::regex& targets, int64_t rank);

enum class FactorType { q8_0, f32 };

// prompts: the training prompts' profile, stored when given and not empty (prompt routing reads it).
void write_adapter(const std::string& path, const std::string& architecture, const std::string& name,
                   const std::vector<LoraFactors>& factors, FactorType type = FactorType::q8_0,
                   const PromptProfile* prompts = nullptr);

// Rewrites an adapter file with this profile in its metadata (replacing any), tensors unchanged.
void set_prompt_profile(const std::string& adapter_path, const PromptProfile& prompts);

}  // namespace llmz::lora
