// llmz public API: the evaluation harness behind `llmz eval` and `llmz report` (method in design §6,
// docs/EVAL.md). It loads benchmark problems, runs them with the models, writes one JSON line per
// problem (so an interrupted run resumes) and summarizes the results with bootstrap intervals.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llmz/llmz.h"
#include "llmz/qa.h"

namespace llmz::eval {

// Benchmark problems from ../shared/data/benchmarks (formats in its MANIFEST.md).
// How a reply is checked against the gold answer.
enum class AnswerKind {
  number,  // a final number or expression (`####`, \boxed{}, "Final answer:", last number)
  choice,  // a letter among the shown choices
  code,    // a Python program run against the benchmark's tests in a sandbox
};
const char* to_string(AnswerKind k);

struct Problem {
  std::string id;
  std::string question;  // what a model is shown (choices and code signatures included)
  std::string solution;  // the dataset's worked solution (empty if it has none)
  std::string answer;    // the gold final answer: a number/expression, a letter, or the reference code
  AnswerKind kind = AnswerKind::number;
  std::string code_prefix;           // code: run before the reply's program (HumanEval: the prompt's imports and stub)
  std::string tests;                 // code: run after it; raises when the program is wrong
  std::string shown_tests;           // code: the part of tests the question shows (MBPP's first assert)
  std::string stem;                  // choice: the question without its options
  std::vector<std::string> choices;  // choice: the options in the order shown (A, B, ...)
};

// Names this build can load: gsm8k, math500, aime24, aime25, amc23, svamp, asdiv, mawps, arc-easy,
// arc-challenge, mbpp, mbpp-validation, humaneval.
std::vector<std::string> benchmark_names();
// Loads a benchmark from data_dir (the benchmarks folder); fails with a usage error on unknown names.
// Multiple-choice options are shuffled with `seed` (the same order for every model and every run
// with that seed; seed 0 keeps the dataset's order).
std::vector<Problem> load_benchmark(const std::string& name, const std::string& data_dir, uint64_t seed = 0);
// A benchmark's problems all have one kind of answer: true if there are some and theirs is `kind`.
inline bool answers_are(const std::vector<Problem>& problems, AnswerKind kind) {
  return !problems.empty() && problems.front().kind == kind;
}
// The default data folder: $LLMZ_DATA_DIR, else the first shared/data/benchmarks beside a folder above
// the current one or above the running program (the workplace's ../shared/data).
std::string default_benchmarks_dir();

// `llmz eval qa`: how much of the gap between a small model (SLM) and a strong one (LLM) the
// question-asking protocol recovers, and for how many bits (issue #5; method in design §6).
// Per problem it runs the SLM alone, the LLM alone, the self-refinement control, QA with each oracle
// mode and QA+ (the LLM writes the questions: an upper bound, not deployable), scoring every N.
// One JSON line per problem, written as each problem finishes, so an interrupted run resumes.
struct QaEvalOptions {
  std::string benchmark = "gsm8k";
  std::string data_dir;  // the benchmarks folder
  size_t limit = 20;     // problems, from the start of the set
  std::vector<uint32_t> n_values = {1, 2, 5, 10, 20};
  qa::QuestionMode mode = qa::QuestionMode::sequential;
  std::vector<qa::OracleMode> oracles = {qa::OracleMode::own_reference};  // QA runs (the control always runs)
  bool qa_plus = true;
  bool baselines_only = false;  // only the SLM and the LLM alone: does the benchmark separate them?
  // Code in candidates mode: the oracles answer a question about a program by running it beside their
  // reference program on the shown test's calls and on tests the LLM writes (docs/EVAL.md).
  bool run_programs = false;
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

// The stored replies of a `run_qa_eval` results file graded again with this build's grader (after a
// fix to it), no model run; every other field stays. The file is replaced whole, atomically.
struct RegradeReport {
  uint64_t rows = 0, graded = 0, changed = 0;  // graded: replies and asked programs; changed: verdicts flipped
};
RegradeReport regrade_qa_eval(const std::string& results_path, const std::string& data_dir,
                              const std::function<void(size_t, size_t)>& progress);
std::string qa_eval_markdown(const nlohmann::json& summary);

// `llmz eval rewrite`: how far lossy rewriting shrinks worked solutions, and whether a solver can still
// reach the right answer from what is sent (issue #3; method in design §6). One JSON line per problem,
// written as each problem finishes, so an interrupted run resumes where it stopped.
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
  // Which originals are rewritten: "reference" (the dataset's solution, as in the paper) and "llm"
  // (the writer's own solution, which costs about as much again).
  std::vector<std::string> originals = {"reference", "llm"};
};

struct RewriteEvalModels {
  const Model& coder;   // codes what is sent
  const Model& writer;  // the stronger model: its own solutions, rewrites, fresh answers
  const Model& solver;  // re-derives the answer from what was sent
};

// progress(done, total) after each problem.
void run_rewrite_eval(const RewriteEvalModels& models, const RewriteEvalOptions& options,
                      const std::function<void(size_t, size_t)>& progress);

// `llmz eval recode`: every text of a rewrite results file coded again with coder (bits replaced, the
// solver's verdicts kept; best-of-N and shortest-of-N keep the first coder's choice), written to
// out_path (an existing one, results_path too, only if overwrite). Fails if a row is not about the
// problem the benchmark now holds under its id. progress(done, total) after each row; returns the rows.
size_t recode_rewrite_eval(const Model& coder, const std::string& results_path, const std::string& out_path,
                           bool overwrite, const std::string& data_dir,
                           const std::function<void(size_t, size_t)>& progress);

// How `llmz eval resolve`'s solver writes its replies: greedily (temperature 0, as every run's solver
// does), or sampled at temperature with seed (the same draws on every machine).
struct Reading {
  float temperature = 0;
  uint64_t seed = 1;
};

// `llmz eval resolve`: every text of a rewrite results file solved again by solver, as the run solved
// them (verdicts replaced, texts and bits kept: the checked rewrite stays the one the run's solver
// chose), written to out_path as recode_rewrite_eval writes. A second reader of the same texts: the
// run's checked rewrite is graded by the solver that checked it, this one did not (or, sampling, did
// not make the check's greedy choice).
size_t resolve_rewrite_eval(const Model& solver, const Reading& reading, const std::string& results_path,
                            const std::string& out_path, bool overwrite, const std::string& data_dir,
                            const std::function<void(size_t, size_t)>& progress);

// Aggregates a results file: JSON summary and a Markdown table.
nlohmann::json summarize_rewrite_eval(const std::string& results_path);
std::string rewrite_eval_markdown(const nlohmann::json& summary);

// `llmz report`: Markdown tables and SVG charts from eval results (qa-*.jsonl from `llmz eval qa`,
// rewrite-*.jsonl from `llmz eval rewrite`): accuracy against bits for each QA run, and one chart of
// bits sent against quality for every method, with compute per problem beside each point.
// Writes OUT_DIR/report.md and its SVG charts; returns the paths written.
std::vector<std::string> write_report(const std::vector<std::string>& runs, const std::string& out_dir);

// Code answers run in a sandbox (bubblewrap, docs/EVAL.md): the protections this machine cannot give,
// in words (empty when all of them hold); e.g. without a cgroup the memory limit holds per process
// only and the process count is not limited.
std::vector<std::string> sandbox_gaps();

}  // namespace llmz::eval
