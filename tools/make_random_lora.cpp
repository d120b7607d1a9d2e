// Writes a random rank-32 LoRA adapter for a base GGUF (its attention query/value and feed-forward up
// matrices), so tests can exercise adapters without training one.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "common/error.h"
#include "ggml.h"
#include "gguf.h"
#include "lora/adapter_file.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s BASE.gguf OUT.gguf SEED\n", argv[0]);
    return 2;
  }
  ggml_context* shapes = nullptr;  // tensor shapes, no data
  gguf_init_params params = {/*no_alloc=*/true, &shapes};
  gguf_context* base = gguf_init_from_file(argv[1], params);
  if (!base) {
    fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[1]);
    return 1;
  }
  const int64_t arch_key = gguf_find_key(base, "general.architecture");
  const std::string arch = arch_key >= 0 ? gguf_get_val_str(base, arch_key) : "llama";
  std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  constexpr int64_t kRank = 32;
  std::vector<llmz::lora::LoraFactors> factors;
  for (int64_t i = 0; i < gguf_get_n_tensors(base); i++) {
    const std::string name = gguf_get_tensor_name(base, i);
    if (name.find("attn_q.weight") == std::string::npos && name.find("attn_v.weight") == std::string::npos &&
        name.find("ffn_up.weight") == std::string::npos)
      continue;
    const ggml_tensor* t = ggml_get_tensor(shapes, name.c_str());
    llmz::lora::LoraFactors f{name, t->ne[0], t->ne[1], kRank, {}, {}};  // ggml's ne[0] is the input
    f.a.resize(size_t(kRank * f.n_in));
    f.b.resize(size_t(f.n_out * kRank));
    for (float& x : f.a) x = normal(rng) / std::sqrt(float(f.n_in));
    for (float& x : f.b) x = 0.5f * normal(rng) / std::sqrt(float(kRank));
    factors.push_back(std::move(f));
  }
  gguf_free(base);
  ggml_free(shapes);
  try {
    llmz::lora::write_adapter(argv[2], arch, "llmz-random-lora", factors);
  } catch (const llmz::Error& e) {
    fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
