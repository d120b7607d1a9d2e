// llama.cpp's raw forward-pass throughput under exactly llmz's evaluation settings (same Evaluator,
// same lock-step schedule, every token's logits kept) but without any coding: the yardstick for
// llmz's efficiency in the benchmark. Prints one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "llmz/llmz.h"
#include "model/evaluator.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s MODEL.gguf THREADS STREAMS TOKENS_PER_STREAM TOKENS_PER_CALL\n", argv[0]);
    return 1;
  }
  try {
    const int threads = std::atoi(argv[2]);
    const uint32_t streams = uint32_t(std::atoi(argv[3])), length = uint32_t(std::atoi(argv[4])),
                   per_call = uint32_t(std::atoi(argv[5]));
    llmz::Model model = llmz::Model::load({argv[1], threads});
    auto& m = llmz::detail::loaded_model(model);
    llmz::detail::Evaluator ev(m, streams, length + 1);
    std::mt19937 rng(1);
    const auto start = std::chrono::steady_clock::now();
    for (uint32_t pos = 0; pos < length; pos += per_call) {
      const uint32_t end = std::min(length, pos + per_call);
      for (uint32_t s = 0; s < streams; s++)
        for (uint32_t p = pos; p < end; p++) ev.add(s, llama_token(rng() % m.n_vocab()), int32_t(p), true);
      ev.run();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    printf("{\"tokens\": %u, \"seconds\": %.3f, \"tokens_per_second\": %.1f}\n", streams * length, seconds,
           streams * length / seconds);
  } catch (const std::exception& e) {
    fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
