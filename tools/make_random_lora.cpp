// Writes a random rank-32 LoRA adapter for a base GGUF (its attention query/value and feed-forward up
// matrices), so tests can exercise adapters without training one.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "common/error.h"
#include "gguf.h"
#include "lora/adapter_file.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s BASE.gguf OUT.gguf SEED\n", argv[0]);
    return 2;
  }
  try {
    gguf_init_params params = {/*no_alloc=*/true, nullptr};
    gguf_context* base = gguf_init_from_file(argv[1], params);
    if (!base) throw llmz::Error(llmz::ErrorCode::model, std::string("cannot read ") + argv[1]);
    const int64_t arch_key = gguf_find_key(base, "general.architecture");
    const std::string arch = arch_key >= 0 ? gguf_get_val_str(base, arch_key) : "llama";
    gguf_free(base);

    auto factors = llmz::lora::zero_factors(argv[1], llmz::lora::target_pattern({"attn_q", "attn_v", "ffn_up"}), 32);
    std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto& f : factors) {
      for (float& x : f.a) x = normal(rng) / std::sqrt(float(f.n_in));
      for (float& x : f.b) x = 0.5f * normal(rng) / std::sqrt(float(f.rank));
    }
    llmz::lora::write_adapter(argv[2], arch, "llmz-random-lora", factors);
  } catch (const llmz::Error& e) {
    fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
