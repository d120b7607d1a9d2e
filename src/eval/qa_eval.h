// `llmz eval qa`: how much of the gap between a small model (SLM) and a strong one (LLM) the
// question-asking protocol recovers, and for how many bits (issue #5; method in design §6).
// Per problem it runs the SLM alone, the LLM alone, the self-refinement control, QA with each oracle
// mode and QA+ (the LLM writes the questions: an upper bound, not deployable), scoring every N.
// One JSON line per problem, written as each problem finishes, so an interrupted run resumes.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llmz/llmz.h"
#include "qa/oracle.h"
#include "qa/protocol.h"

namespace llmz::eval {

struct QaEvalOptions {
  std::string benchmark = "gsm8k";
  std::string data_dir;  // the benchmarks folder
  size_t limit = 20;     // problems, from the start of the set
  std::vector<uint32_t> n_values = {1, 2, 5, 10, 20};
  qa::QuestionMode mode = qa::QuestionMode::sequential;
  std::vector<qa::OracleMode> oracles = {qa::OracleMode::own_reference};  // QA runs (the control always runs)
  bool qa_plus = true;
  bool baselines_only = false;  // only the SLM and the LLM alone: does the benchmark separate them?
  qa::Prompts prompts = qa::default_prompts();
  uint64_t seed = 1;          // shuffles multiple-choice options
  uint32_t max_tokens = 256;  // attempts, revisions and the LLM's own solutions
  std::string results;        // the JSONL file
  bool resume = false;
  uint32_t jobs = 1;  // problems solved side by side (one thread and one set of contexts each)
};

struct QaEvalModels {
  const Model& slm;
  const Model& llm;
};

// progress(done, total) after each problem.
void run_qa_eval(const QaEvalModels& models, const QaEvalOptions& options,
                 const std::function<void(size_t, size_t)>& progress);

// Aggregates a results file: accuracies and gaps recovered with bootstrap 95% intervals, bits and
// ratios per configuration and N.
nlohmann::json summarize_qa_eval(const std::string& results_path);
std::string qa_eval_markdown(const nlohmann::json& summary);

}  // namespace llmz::eval
