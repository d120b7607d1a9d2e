#include "cli/model_registry.h"

#include <cstdlib>
#include <filesystem>

namespace llmz::cli {

const std::vector<KnownModel>& known_models() {
  static const std::vector<KnownModel> models = {
      {"smollm2", "SmolLM2-135M-Instruct.Q8_0.gguf", "SmolLM2-135M-Instruct, Q8_0 copy (default; fastest)"},
      {"smollm2-q4", "SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct, Q4_1 as published"},
      {"gemma3", "gemma-3-270m-q4_k_m.gguf", "Gemma 3 270M (base, not instruction-tuned), Q4_K_M as published"},
      {"qwen0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
       "Qwen2.5-Coder-0.5B-Instruct, Q4_K_M as published (small of the pair)"},
      {"qwen1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
       "Qwen2.5-Coder-1.5B-Instruct, Q4_K_M as published (strong of the pair)"},
  };
  return models;
}

std::string default_model() {
  const char* env = std::getenv("LLMZ_MODEL");
  return env && *env ? env : "smollm2";
}

std::string resolve_model(const std::string& name_or_path) {
  for (const auto& m : known_models()) {
    if (m.name != name_or_path) continue;
    const char* dir = std::getenv("LLMZ_MODELS_DIR");
    return (std::filesystem::path(dir && *dir ? dir : LLMZ_MODELS_DIR) / m.file).string();
  }
  return name_or_path;
}

}  // namespace llmz::cli
