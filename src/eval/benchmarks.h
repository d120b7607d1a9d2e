// Benchmark problems from ../shared/data/benchmarks (formats in its MANIFEST.md).
#pragma once
#include <string>
#include <vector>

namespace llmz::eval {

struct Problem {
  std::string id;
  std::string question;
  std::string solution;  // the dataset's worked solution (empty if it has none)
  std::string answer;    // the gold final answer
};

// Names this build can load, e.g. "gsm8k", "math500".
std::vector<std::string> benchmark_names();
// Loads a benchmark from data_dir (the benchmarks folder); fails with a usage error on unknown names.
std::vector<Problem> load_benchmark(const std::string& name, const std::string& data_dir);
// The default data folder: $LLMZ_DATA_DIR, else ../shared/data/benchmarks next to the checkout.
std::string default_benchmarks_dir();

}  // namespace llmz::eval
