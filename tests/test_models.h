// Models for tests: the tiny random-weight model (built by the test fixture, fast) and the real
// default model (installed by scripts/setup.sh). Each is loaded once per test process.
#pragma once
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "llmz/llmz.h"

namespace llmz::test {

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline std::string tiny_model_path() { return env_or("LLMZ_TINY_MODEL", "tiny.gguf"); }
inline std::string other_tiny_model_path() { return env_or("LLMZ_TINY_MODEL_2", "tiny2.gguf"); }
inline std::string real_model_path() {
  return env_or("LLMZ_MODELS_DIR", "models") + "/SmolLM2-135M-Instruct.Q8_0.gguf";
}

inline std::string qwen_small_model_path() {
  return env_or("LLMZ_MODELS_DIR", "models") + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
}

inline const Model& cached_model(const std::string& path, int threads = 2) {
  static std::map<std::pair<std::string, int>, std::unique_ptr<Model>> models;
  auto& slot = models[{path, threads}];
  if (!slot) slot = std::make_unique<Model>(Model::load({path, threads}));
  return *slot;
}

// The code of the llmz::Error that f throws, or ok.
inline ErrorCode error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

inline std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

inline std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = uint8_t(rng());
  return out;
}

// English-like text with many different words, so that token chunks are not trivially predictable.
inline std::string sample_text(size_t bytes, uint64_t seed) {
  static const char* words[] = {"the",     "quick", "brown", "fox",         "jumps",  "over",  "lazy",
                                "dog",     "and",   "then",  "compression", "model",  "token", "stream",
                                "of",      "a",     "river", "in",          "winter", "Alice", "said",
                                "nothing", "to",    "queen", "rabbit",      "time",   "was",   "very"};
  std::mt19937_64 rng(seed);
  std::string s;
  while (s.size() < bytes) {
    s += words[rng() % (sizeof words / sizeof *words)];
    s += rng() % 12 == 0 ? ".\n" : " ";
  }
  s.resize(bytes);
  return s;
}

}  // namespace llmz::test
