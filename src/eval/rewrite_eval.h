// `llmz eval rewrite`: how far lossy rewriting shrinks worked solutions, and whether a solver can still
// reach the right answer from what is sent (issue #3; method in design §6). One JSON line per problem,
// written as each problem finishes, so an interrupted run resumes where it stopped.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "llmz/llmz.h"

namespace llmz::eval {

struct RewriteEvalOptions {
  std::string benchmark = "gsm8k";
  std::string data_dir;     // the benchmarks folder
  size_t limit = 20;        // problems, from the start of the set
  uint32_t candidates = 4;  // N for best-of-N rewrite and shortest-of-N
  uint64_t seed = 1;
  float temperature = 0.8f;
  uint32_t max_tokens = 384;  // longest solution, rewrite or solver reply
  std::string results;        // the JSONL file
  bool resume = false;
  uint32_t jobs = 1;  // problems solved side by side (one thread and one set of contexts each)
};

struct RewriteEvalModels {
  const Model& coder;   // codes what is sent
  const Model& writer;  // the stronger model: its own solutions, rewrites, fresh answers
  const Model& solver;  // re-derives the answer from what was sent
};

// progress(done, total) after each problem.
void run_rewrite_eval(const RewriteEvalModels& models, const RewriteEvalOptions& options,
                      const std::function<void(size_t, size_t)>& progress);

// Aggregates a results file: JSON summary and a Markdown table.
nlohmann::json summarize_rewrite_eval(const std::string& results_path);
std::string rewrite_eval_markdown(const nlohmann::json& summary);

}  // namespace llmz::eval
