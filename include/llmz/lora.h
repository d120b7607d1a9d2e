// Training a LoRA adapter for a quantized model on text (issue #6).
//
// The low-rank factors themselves are trained, on top of the very quantized weights the coder will
// use: A starts random and B at zero, AdamW lowers the next-token cross-entropy, gradients flow
// through the frozen base. The factors are then stored Q8_0 so the coder keeps its determinism
// (design §4). docs/LORA.md says why this replaced fine-tuning an F32 copy and cutting the change by SVD.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace llmz::lora {

struct TrainOptions {
  std::string base;               // the quantized model the adapter will be used with
  std::vector<std::string> data;  // text files
  std::string out;                // adapter GGUF
  uint32_t rank = 32;             // a multiple of 32 (Q8_0 rows)
  uint32_t epochs = 1;
  float learning_rate = 1e-3f;
  uint64_t seed = 1;       // of the factors' random start
  uint32_t context = 256;  // tokens per training sequence (rounded up to a multiple of 256)
  int threads = 2;
  // Base tensors adapted, by the part of their name after "blk.N.".
  std::vector<std::string> targets = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
};

struct TrainProgress {
  uint32_t epoch = 0, epochs = 0;
  int64_t step = 0, steps = 0;  // sequences of this epoch
  double loss = 0;              // mean cross-entropy (nats per token) so far in this epoch
  double seconds = 0;           // since training started
};

struct TrainReport {
  uint64_t tokens = 0, sequences = 0;
  std::vector<double> epoch_loss;  // mean training loss of each epoch
  uint64_t adapter_bytes = 0;
  double seconds = 0;
};

TrainReport train_adapter(const TrainOptions& options, const std::function<void(const TrainProgress&)>& progress);

// Stores the profile of the prompts in data (.jsonl records, read as training reads them) in an
// adapter made without one, for prompt routing; its tensors, and so its fingerprint, stay the same.
// Returns the number of prompt tokens counted.
uint64_t profile_adapter(const std::string& base, const std::vector<std::string>& data, const std::string& adapter);

}  // namespace llmz::lora
