#include "routing/prompt_profile.h"

#include <xxhash.h>

#include <set>

#include "coding/cdf.h"
#include "common/error.h"
#include "model/fingerprint.h"

namespace llmz::lora {

namespace {

constexpr const char* kTokensKey = "llmz.prompt_profile.tokens";
constexpr const char* kCountsKey = "llmz.prompt_profile.counts";

// The stored form: token ids ascending, their counts alongside.
std::pair<std::vector<int32_t>, std::vector<uint32_t>> arrays(const PromptProfile& p) {
  std::pair<std::vector<int32_t>, std::vector<uint32_t>> out;
  for (const auto& [token, count] : p.counts) out.first.push_back(token), out.second.push_back(count);
  return out;
}

// log2(x) in 2^-16 units, exactly as the coder computes shares.
int64_t log2_fixed(uint64_t x) {
  if (x == 0 || x >= (uint64_t(1) << 32)) fail(ErrorCode::model, "prompt profile too large to score");
  return log2_share(uint32_t(x), 0);
}

}  // namespace

void PromptProfile::add(std::span<const int32_t> tokens) {
  for (int32_t t : tokens) counts[t]++;
}

uint64_t PromptProfile::total() const {
  uint64_t n = 0;
  for (const auto& [token, count] : counts) n += count;
  return n;
}

uint64_t PromptProfile::hash() const {
  const auto [tokens, counts_] = arrays(*this);
  XXH3_state_t* s = XXH3_createState();
  XXH3_64bits_reset(s);
  XXH3_64bits_update(s, tokens.data(), tokens.size() * sizeof(int32_t));
  XXH3_64bits_update(s, counts_.data(), counts_.size() * sizeof(uint32_t));
  const uint64_t h = XXH3_64bits_digest(s);
  XXH3_freeState(s);
  return h;
}

void store_prompt_profile(gguf_context* meta, const PromptProfile& profile) {
  const auto [tokens, counts] = arrays(profile);
  gguf_set_arr_data(meta, kTokensKey, GGUF_TYPE_INT32, tokens.data(), tokens.size());
  gguf_set_arr_data(meta, kCountsKey, GGUF_TYPE_UINT32, counts.data(), counts.size());
}

std::optional<PromptProfile> read_prompt_profile(const std::string& adapter_path) {
  const GgufMetadata meta = open_gguf_metadata(adapter_path);
  const int64_t tk = gguf_find_key(meta.get(), kTokensKey), ck = gguf_find_key(meta.get(), kCountsKey);
  if (tk < 0 && ck < 0) return std::nullopt;
  auto damaged = [&] { fail(ErrorCode::model, adapter_path + ": the adapter's prompt profile is damaged"); };
  if (tk < 0 || ck < 0 || gguf_get_kv_type(meta.get(), tk) != GGUF_TYPE_ARRAY ||
      gguf_get_kv_type(meta.get(), ck) != GGUF_TYPE_ARRAY || gguf_get_arr_type(meta.get(), tk) != GGUF_TYPE_INT32 ||
      gguf_get_arr_type(meta.get(), ck) != GGUF_TYPE_UINT32 ||
      gguf_get_arr_n(meta.get(), tk) != gguf_get_arr_n(meta.get(), ck))
    damaged();
  const size_t n = gguf_get_arr_n(meta.get(), tk);
  const auto* tokens = static_cast<const int32_t*>(gguf_get_arr_data(meta.get(), tk));
  const auto* counts = static_cast<const uint32_t*>(gguf_get_arr_data(meta.get(), ck));
  PromptProfile p;
  for (size_t i = 0; i < n; i++) {
    if (tokens[i] < 0 || counts[i] == 0 || (i > 0 && tokens[i] <= tokens[i - 1])) damaged();
    p.counts.emplace_hint(p.counts.end(), tokens[i], counts[i]);
  }
  return p;
}

size_t most_likely_profile(const std::vector<PromptProfile>& profiles, std::span<const int32_t> tokens) {
  std::set<int32_t> seen;
  for (const auto& p : profiles)
    for (const auto& [token, count] : p.counts) seen.insert(token);
  const uint64_t slots = seen.size() + 1;
  size_t best = 0;
  int64_t best_cost = INT64_MAX;
  for (size_t k = 0; k < profiles.size(); k++) {
    const int64_t denominator = log2_fixed(profiles[k].total() + slots);
    int64_t cost = 0;
    for (int32_t t : tokens) {
      const auto it = profiles[k].counts.find(t);
      cost += denominator - log2_fixed(uint64_t(it == profiles[k].counts.end() ? 0 : it->second) + 1);
    }
    if (cost < best_cost) best_cost = cost, best = k;
  }
  return best;
}

}  // namespace llmz::lora
