// What an adapter's training prompts looked like: how often each token occurred in them. `llmz lora
// train` stores it in the adapter's GGUF metadata; prompt routing picks the adapter whose profile
// makes a prompt most likely (a multinomial naive Bayes classifier over the model's own tokens).
// Integer arithmetic only, so the encoder and the decoder always pick the same adapter.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gguf.h"

namespace llmz::lora {

struct PromptProfile {
  std::map<int32_t, uint32_t> counts;  // token id -> occurrences in the training prompts
  void add(std::span<const int32_t> tokens);
  uint64_t total() const;
  uint64_t hash() const;  // XXH3-64 of the stored arrays: routing's candidate set includes it
};

// Keys llmz.prompt_profile.tokens (INT32, ascending) and llmz.prompt_profile.counts (UINT32, > 0).
void store_prompt_profile(gguf_context* meta, const PromptProfile& profile);
// The adapter's profile, or none when it has no such keys (adapters made elsewhere, or from text
// files without prompts). Fails with a model error when the keys are there but malformed.
std::optional<PromptProfile> read_prompt_profile(const std::string& adapter_path);

// Cost of the tokens under each profile, in 2^-16 bits: add-one smoothing over the tokens any of the
// profiles has seen, plus one slot for all others. The index of the cheapest; ties: the first.
size_t most_likely_profile(const std::vector<PromptProfile>& profiles, std::span<const int32_t> tokens);

}  // namespace llmz::lora
