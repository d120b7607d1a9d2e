#include "cli/eval_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/model_registry.h"
#include "cli/progress.h"
#include "common/error.h"
#include "eval/benchmarks.h"
#include "eval/rewrite_eval.h"

namespace llmz::cli {

struct EvalCommands::Impl {
  CLI::App* rewrite = nullptr;
  eval::RewriteEvalOptions options;
  std::string coder = default_model(), writer = "gemma3", solver = default_model();
  int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  bool quiet = false;

  explicit Impl(CLI::App& app) {
    auto* e = app.add_subcommand("eval", "evaluation harness (results go to bench/results/)");
    e->require_subcommand(1);
    rewrite = e->add_subcommand("rewrite", "lossy rewrite: compression ratio and answer preservation on a benchmark");
    rewrite->add_option("--benchmark", options.benchmark, "gsm8k or math500")->capture_default_str();
    rewrite->add_option("--limit", options.limit, "problems, from the start of the set")->capture_default_str();
    rewrite->add_option("-N,--candidates", options.candidates, "N for best-of-N rewrite and shortest-of-N")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    rewrite->add_option("--seed", options.seed, "sampling seed")->capture_default_str();
    rewrite->add_option("--temperature", options.temperature, "sampling temperature")->capture_default_str();
    rewrite->add_option("--max-tokens", options.max_tokens, "longest solution, rewrite or solver reply")
        ->capture_default_str();
    rewrite->add_option("--coder", coder, "model that codes what is sent")->capture_default_str();
    rewrite->add_option("--writer", writer, "the stronger model: own solutions, rewrites, fresh answers")
        ->capture_default_str();
    rewrite->add_option("--solver", solver, "model that re-derives the answer")->capture_default_str();
    rewrite->add_option("--data", options.data_dir, "benchmarks folder (default: ../shared/data/benchmarks)");
    rewrite->add_option("--results", options.results, "JSONL results file (default: bench/results/rewrite-BENCH.jsonl)");
    rewrite->add_flag("--resume", options.resume, "continue an interrupted run");
    rewrite->add_option("-T,--threads", threads, "threads for batched evaluation")->check(CLI::Range(1, 256));
    rewrite->add_flag("-q,--quiet", quiet, "no progress bar");
  }

  int run_rewrite() {
    if (options.data_dir.empty()) options.data_dir = eval::default_benchmarks_dir();
    if (options.results.empty())
      options.results = (std::filesystem::path(LLMZ_SOURCE_DIR) / "bench" / "results" /
                         ("rewrite-" + options.benchmark + ".jsonl")).string();
    eval::load_benchmark(options.benchmark, options.data_dir);  // fail early on a bad name or folder
    const Model coder_model = Model::load({resolve_model(coder), threads});
    const Model writer_model = Model::load({resolve_model(writer), threads});
    const Model solver_model = Model::load({resolve_model(solver), threads});
    {
      ProgressBar bar("evaluating", !quiet);
      eval::run_rewrite_eval({coder_model, writer_model, solver_model}, options,
                             [&](size_t done, size_t total) { bar.update(done, total); });
    }
    const auto summary = eval::summarize_rewrite_eval(options.results);
    const std::string stem = options.results.substr(0, options.results.rfind('.'));
    std::ofstream(stem + ".json") << summary.dump(1) << "\n";
    const std::string md = eval::rewrite_eval_markdown(summary);
    std::ofstream(stem + ".md") << md;
    std::cout << md;
    return 0;
  }
};

EvalCommands::EvalCommands(CLI::App& app) : impl_(std::make_unique<Impl>(app)) {}
EvalCommands::~EvalCommands() = default;
bool EvalCommands::parsed() const { return impl_->rewrite->parsed(); }
int EvalCommands::run() { return impl_->run_rewrite(); }

}  // namespace llmz::cli
