// Benchmark problems from ../shared/data/benchmarks (formats in its MANIFEST.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace llmz::eval {

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
  std::string stem;                  // choice: the question without its options
  std::vector<std::string> choices;  // choice: the options in the order shown (A, B, ...)
};

// Names this build can load: gsm8k, math500, aime24, aime25, amc23, svamp, asdiv, mawps, arc-easy,
// arc-challenge, mbpp, humaneval.
std::vector<std::string> benchmark_names();
// Loads a benchmark from data_dir (the benchmarks folder); fails with a usage error on unknown names.
// Multiple-choice options are shuffled with `seed` (the same order for every model and every run
// with that seed; seed 0 keeps the dataset's order).
std::vector<Problem> load_benchmark(const std::string& name, const std::string& data_dir, uint64_t seed = 0);
// The default data folder: $LLMZ_DATA_DIR, else the first shared/data/benchmarks beside a folder above
// the current one or above the running program (the workplace's ../shared/data).
std::string default_benchmarks_dir();

}  // namespace llmz::eval
