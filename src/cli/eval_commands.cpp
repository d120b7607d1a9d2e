#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/command_group.h"
#include "cli/model_registry.h"
#include "cli/progress.h"
#include "common/error.h"
#include "llmz/eval.h"

namespace llmz::cli {

namespace {

const char* kJobsHelp =
    "problems solved side by side, each on its own thread (generation keeps one core busy per job: "
    "use -j 2 -T 1 on 2 cores); rows are the same, written as they finish";

// Results go under the current folder unless the user names a file (--results).
std::string default_results(const std::string& stem) {
  return (std::filesystem::path("bench") / "results" / (stem + ".jsonl")).string();
}

// Code benchmarks run generated programs: say what the sandbox cannot prevent on this machine.
void warn_if_code(const std::vector<eval::Problem>& problems) {
  if (eval::answers_are(problems, eval::AnswerKind::code))
    for (const auto& gap : eval::sandbox_gaps()) std::cerr << "llmz: warning: code sandbox: " << gap << "\n";
}

// Results files are JSONL; their summaries go beside them as .json and .md.
void check_results_path(const std::string& path) {
  if (std::filesystem::path(path).extension() != ".jsonl")
    fail(ErrorCode::usage,
         path + ": a results file ends in .jsonl (its summary is written beside it as .json and .md)");
}

// Writes STEM.json and STEM.md next to the results file and prints the Markdown.
void write_summary(const std::string& results, const nlohmann::json& summary, const std::string& md) {
  std::filesystem::path stem(results);
  std::ofstream(stem.replace_extension(".json")) << summary.dump(1) << "\n";
  std::ofstream(stem.replace_extension(".md")) << md;
  std::cout << md;
}

struct EvalCommands final : CommandGroup {
  CLI::App *rewrite = nullptr, *qa = nullptr, *report = nullptr, *regrade = nullptr, *recode = nullptr,
           *resolve = nullptr;
  std::vector<std::string> regrade_runs;
  std::string stored_data;             // --data of regrade, recode and resolve, which read stored results
  std::string rework_run, rework_out;  // recode's and resolve's
  bool rework_force = false;
  std::vector<std::string> report_runs;
  std::string report_dir = "bench/results";
  eval::RewriteEvalOptions options;
  eval::QaEvalOptions qa_options;
  eval::Reading reading;  // resolve's
  std::string coder = default_model(), writer = "gemma3", solver = default_model();
  std::string slm = default_model(), llm = "gemma3", question_mode = "sequential", qa_prompts;
  std::vector<std::string> oracle_modes = {"own-reference"};
  int threads = 0;  // auto
  Compute compute = Compute::portable;
  bool quiet = false, no_qa_plus = false;

  explicit EvalCommands(CLI::App& app) {
    auto* e = app.add_subcommand("eval", "evaluation harness (results go to bench/results/)");
    e->require_subcommand(1);
    add_qa(*e);
    regrade = e->add_subcommand("regrade",
                                "grade the stored replies of `eval qa` results again with this build's grader "
                                "(after a fix to it; no model runs), then rewrite their summaries");
    regrade->add_option("runs", regrade_runs, "results files of `llmz eval qa`")->required()->check(CLI::ExistingFile);
    regrade->add_option("--data", stored_data, "benchmarks folder (default: ../shared/data/benchmarks)");
    recode = e->add_subcommand("recode",
                               "code the texts of `eval rewrite` results again with another coder (the writer's texts "
                               "and the solver's verdicts are kept), then summarize");
    recode->add_option("--coder", coder, "model that codes the texts")->required();
    add_rework_options(*recode);
    resolve = e->add_subcommand("resolve",
                                "solve the texts of `eval rewrite` results again with another solver (texts and "
                                "their bits are kept: a second reader of what was sent), then summarize");
    resolve->add_option("--solver", solver, "model that re-derives the answer from each text")->required();
    resolve
        ->add_option("--temperature", reading.temperature,
                     "0: greedy replies, as the run's solver wrote them; above 0: sampled at this temperature")
        ->capture_default_str()
        ->check(CLI::Range(0.0f, 2.0f));
    resolve->add_option("--seed", reading.seed, "sampling seed (with --temperature above 0)")->capture_default_str();
    add_rework_options(*resolve);
    report =
        app.add_subcommand("report", "Markdown tables and SVG charts from eval results (qa-*.jsonl, rewrite-*.jsonl)");
    report->add_option("runs", report_runs, "results files of `llmz eval qa` / `llmz eval rewrite`")
        ->required()
        ->check(CLI::ExistingFile);
    report->add_option("-o,--out", report_dir, "folder for report.md and the charts")->capture_default_str();
    rewrite = e->add_subcommand("rewrite",
                                "lossy rewrite: compression ratio and answer preservation on a benchmark (lossless, "
                                "shortest-of-N, rewrite, best-of-N and checked rewrite; docs/LOSSY.md)");
    rewrite
        ->add_option("--benchmark", options.benchmark,
                     "a benchmark with worked solutions (gsm8k, math500) or programs (mbpp, humaneval)")
        ->capture_default_str();
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
    rewrite->add_option("--solver", solver, "model that re-derives the answer (and checks rewrites for the sender)")
        ->capture_default_str();
    rewrite
        ->add_option("--originals", options.originals,
                     "texts to rewrite, comma-separated: reference (the dataset's solution), llm (the writer's own; "
                     "about as much time again)")
        ->delimiter(',')
        ->check(CLI::IsMember({"reference", "llm"}))
        ->capture_default_str();
    rewrite->add_option("--data", options.data_dir, "benchmarks folder (default: ../shared/data/benchmarks)");
    rewrite->add_option("--results", options.results,
                        "JSONL results file (default: bench/results/rewrite-BENCH.jsonl)");
    rewrite->add_flag("--resume", options.resume, "continue an interrupted run");
    add_threads_option(*rewrite, threads);
    add_compute_option(*rewrite, compute);
    rewrite->add_option("-j,--jobs", options.jobs, kJobsHelp)->check(CLI::Range(1, 64))->capture_default_str();
    rewrite->add_flag("-q,--quiet", quiet, "no progress bar");
  }

  void add_qa(CLI::App& e) {
    std::string names;
    for (const auto& n : eval::benchmark_names()) names += (names.empty() ? "" : ", ") + n;
    auto& o = qa_options;
    qa = e.add_subcommand("qa",
                          "question asking: capability gap recovered and bits, against the SLM, the LLM "
                          "and the self-refinement control");
    qa->add_option("--benchmark", o.benchmark, names)->capture_default_str();
    qa->add_option("--slm", slm, "small model (asks, revises)")->capture_default_str();
    qa->add_option("--llm", llm, "strong model (answers)")->capture_default_str();
    qa->add_option("-n", o.n_values, "numbers of questions, comma-separated")->delimiter(',')->capture_default_str();
    qa->add_option("--limit", o.limit, "problems, from the start of the set")->capture_default_str();
    qa->add_option("--mode", question_mode, "questions: sequential, batch or candidates")->capture_default_str();
    qa->add_option("--oracle", oracle_modes, "oracle modes for QA: own-reference, gold-reference (comma-separated)")
        ->delimiter(',')
        ->capture_default_str();
    qa->add_option(
          "--prompts", qa_prompts,
          "prompt template file (default: the built-in qa-v1; qa-choice-v2 on multiple-choice benchmarks; "
          "qa-candidates-v1, or qa-candidates-code-v2 on code and qa-candidates-choice-v1 on multiple choice, in "
          "candidates mode)")
        ->check(CLI::ExistingFile);
    qa->add_flag("--no-qa-plus", no_qa_plus, "skip QA+ (the LLM writes the questions)");
    qa->add_flag("--run-programs", o.run_programs,
                 "code in candidates mode: the oracle answers a question about a program by running it beside its "
                 "reference program on the shown test's calls and on tests the LLM writes");
    qa->add_flag("--baselines-only", o.baselines_only,
                 "only the SLM and the LLM alone (quick: does the benchmark separate the two models?)");
    qa->add_option("--seed", o.seed, "shuffles multiple-choice options")->capture_default_str();
    qa->add_option("--max-tokens", o.max_tokens, "longest attempt, revision or LLM solution")->capture_default_str();
    qa->add_option("--data", o.data_dir, "benchmarks folder (default: ../shared/data/benchmarks)");
    qa->add_option("--results", o.results, "JSONL results file (default: bench/results/qa-BENCH.jsonl)");
    qa->add_flag("--resume", o.resume, "continue an interrupted run");
    add_threads_option(*qa, threads);
    add_compute_option(*qa, compute);
    qa->add_option("-j,--jobs", o.jobs, kJobsHelp)->check(CLI::Range(1, 64))->capture_default_str();
    qa->add_flag("-q,--quiet", quiet, "no progress bar");
  }

  int run_qa() {
    auto& o = qa_options;
    if (o.data_dir.empty()) o.data_dir = eval::default_benchmarks_dir();
    if (o.results.empty()) o.results = default_results("qa-" + o.benchmark);
    check_results_path(o.results);
    o.mode = qa::parse_question_mode(question_mode);
    o.oracles.clear();
    for (const auto& m : oracle_modes) {
      const auto mode = qa::parse_oracle_mode(m);
      if (mode == qa::OracleMode::self)
        fail(ErrorCode::usage, "--oracle: the self control always runs; name reference modes");
      o.oracles.push_back(mode);
    }
    o.qa_plus = !no_qa_plus;
    const auto problems = eval::load_benchmark(o.benchmark, o.data_dir);  // fail early on a bad name or folder
    const bool choice = eval::answers_are(problems, eval::AnswerKind::choice);
    const bool code = eval::answers_are(problems, eval::AnswerKind::code);
    warn_if_code(problems);
    const bool candidates = o.mode == qa::QuestionMode::candidates;
    o.prompts = !qa_prompts.empty()    ? qa::load_prompts(qa_prompts)
                : candidates && choice ? qa::candidate_choice_prompts()
                : choice               ? qa::choice_prompts()
                : candidates && code   ? qa::candidate_code_prompts()
                : candidates           ? qa::candidate_prompts()
                                       : qa::default_prompts();
    qa::check_prompts_for(o.prompts, o.mode);
    const Model slm_model = Model::load({resolve_model(slm), threads});
    const Model llm_model = Model::load({resolve_model(llm), threads});
    {
      ProgressBar bar("evaluating", quiet ? Progress::none : Progress::bar_or_log, "problems");
      eval::run_qa_eval({slm_model, llm_model}, o, [&](size_t done, size_t total) { bar.update(done, total); });
    }
    const auto summary = eval::summarize_qa_eval(o.results);
    write_summary(o.results, summary, eval::qa_eval_markdown(summary));
    return 0;
  }

  int run_rewrite() {
    if (options.data_dir.empty()) options.data_dir = eval::default_benchmarks_dir();
    if (options.results.empty()) options.results = default_results("rewrite-" + options.benchmark);
    check_results_path(options.results);
    warn_if_code(eval::load_benchmark(options.benchmark, options.data_dir));  // also fails early on a bad name
    const Model coder_model = Model::load({resolve_model(coder), threads});
    const Model writer_model = Model::load({resolve_model(writer), threads});
    const Model solver_model = Model::load({resolve_model(solver), threads});
    {
      ProgressBar bar("evaluating", quiet ? Progress::none : Progress::bar_or_log, "problems");
      eval::run_rewrite_eval({coder_model, writer_model, solver_model}, options,
                             [&](size_t done, size_t total) { bar.update(done, total); });
    }
    const auto summary = eval::summarize_rewrite_eval(options.results);
    write_summary(options.results, summary, eval::rewrite_eval_markdown(summary));
    return 0;
  }

  bool parsed() const override {
    return rewrite->parsed() || qa->parsed() || report->parsed() || regrade->parsed() || recode->parsed() ||
           resolve->parsed();
  }

  int run_regrade() {
    if (stored_data.empty()) stored_data = eval::default_benchmarks_dir();
    for (const auto& run : regrade_runs) {
      ProgressBar bar("regrading", quiet ? Progress::none : Progress::bar, "rows");
      const auto r =
          eval::regrade_qa_eval(run, stored_data, [&](size_t done, size_t total) { bar.update(done, total); });
      std::cerr << run << ": " << r.graded << " replies and asked programs in " << r.rows << " rows graded again, "
                << r.changed << " verdicts changed\n";
      const auto summary = eval::summarize_qa_eval(run);
      write_summary(run, summary, eval::qa_eval_markdown(summary));
    }
    return 0;
  }

  // The options recode and resolve share: they read a rewrite run and write a reworked copy.
  void add_rework_options(CLI::App& sub) {
    sub.add_option("run", rework_run, "results file of `llmz eval rewrite`")->required()->check(CLI::ExistingFile);
    sub.add_option("-o,--output", rework_out, "JSONL results file to write (summary .json and .md beside it)")
        ->required();
    sub.add_flag("-f,--force", rework_force, "overwrite an existing output");
    sub.add_option("--data", stored_data, "benchmarks folder (default: ../shared/data/benchmarks)");
    add_threads_option(sub, threads);
    add_compute_option(sub, compute);
    sub.add_flag("-q,--quiet", quiet, "no progress bar");
  }

  // recode (--coder) or resolve (--solver): the rows reworked with model, then summarized.
  int run_rework(bool recoding) {
    if (stored_data.empty()) stored_data = eval::default_benchmarks_dir();
    check_results_path(rework_out);
    const Model model = Model::load({resolve_model(recoding ? coder : solver), threads});
    {
      ProgressBar bar(recoding ? "recoding" : "solving again", quiet ? Progress::none : Progress::bar, "rows");
      const auto update = [&](size_t done, size_t total) { bar.update(done, total); };
      if (recoding)
        eval::recode_rewrite_eval(model, rework_run, rework_out, rework_force, stored_data, update);
      else
        eval::resolve_rewrite_eval(model, reading, rework_run, rework_out, rework_force, stored_data, update);
    }
    const auto summary = eval::summarize_rewrite_eval(rework_out);
    write_summary(rework_out, summary, eval::rewrite_eval_markdown(summary));
    return 0;
  }

  int run() override {
    if (regrade->parsed()) return run_regrade();
    if (report->parsed()) {
      for (const auto& path : eval::write_report(report_runs, report_dir)) std::cout << path << "\n";
      return 0;
    }
    use_compute(compute);
    if (recode->parsed() || resolve->parsed()) return run_rework(recode->parsed());
    return qa->parsed() ? run_qa() : run_rewrite();
  }
};

}  // namespace

std::unique_ptr<CommandGroup> add_eval_commands(CLI::App& app) { return std::make_unique<EvalCommands>(app); }

}  // namespace llmz::cli
