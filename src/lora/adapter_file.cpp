#include "lora/adapter_file.h"

#include "common/error.h"
#include "model/gguf_writer.h"

namespace llmz::lora {

void write_adapter(const std::string& path, const std::string& architecture, const std::string& name,
                   const std::vector<LoraFactors>& factors) {
  if (factors.empty()) fail(ErrorCode::usage, "an adapter needs at least one tensor");
  const int64_t rank = factors.front().rank;
  GgufWriter w(2 * factors.size());
  gguf_set_val_str(w.meta(), "general.type", "adapter");
  gguf_set_val_str(w.meta(), "general.architecture", architecture.c_str());
  gguf_set_val_str(w.meta(), "general.name", name.c_str());
  gguf_set_val_str(w.meta(), "adapter.type", "lora");
  gguf_set_val_f32(w.meta(), "adapter.lora.alpha", float(rank));
  for (const auto& f : factors) {
    if (f.rank != rank) fail(ErrorCode::usage, f.tensor + ": every pair of an adapter has the same rank");
    if (f.a.size() != size_t(f.rank * f.n_in) || f.b.size() != size_t(f.n_out * f.rank))
      fail(ErrorCode::usage, f.tensor + ": factor sizes do not match n_in, n_out and rank");
    w.add_q8(f.tensor + ".lora_a", f.a, f.n_in);
    w.add_q8(f.tensor + ".lora_b", f.b, f.rank);
  }
  w.write(path);
}

}  // namespace llmz::lora
