#include <algorithm>
#include <cstdio>
#include <numeric>
#include <span>
#include <sstream>

#include "common/error.h"
#include "common/stopwatch.h"
#include "common/templates.h"
#include "common/text.h"
#include "eval/grading.h"
#include "eval/results_file.h"
#include "eval/rewrite_rows.h"
#include "eval/run_problems.h"
#include "eval/stats.h"
#include "llmz/eval.h"
#include "llmz/lossy.h"
#include "lossy/answer_check.h"
#include "model/generator.h"
#include "model/loaded_model.h"
#include "qa/answers.h"

namespace llmz::eval {

namespace {

class Runner {
 public:
  Runner(const RewriteEvalModels& m, const RewriteEvalOptions& o, const lossy::RewritePrompts& prompts)
      : m_(m),
        o_(o),
        prompts_(prompts),
        writer_(detail::loaded_model(m.writer), kCapacity),
        solver_(detail::loaded_model(m.solver), kCapacity,
                detail::Generator::slots_side_by_side(1 + 3 * std::size(kRewriteSources), kCapacity)) {
    // Fresh answers for shortest-of-N come from the same prompt as the writer's own solution.
    fresh_prompts_ = prompts_;
    fresh_prompts_.answer = prompts_.solve;
  }

  nlohmann::json problem(const Problem& p) {
    const Stopwatch whole;
    nlohmann::json row = {{"id", p.id}, {"gold", p.answer}};
    const bool code = p.kind == AnswerKind::code;
    std::vector<Variant> variants;
    // result: what the text was meant to carry, hidden from the solver (programs hide nothing).
    auto variant = [&](nlohmann::json::json_pointer at, const std::string& text, uint64_t bits, double seconds,
                       const std::string& result, nlohmann::json extra = nlohmann::json::object()) {
      variants.push_back({std::move(at), text, bits, seconds, code ? "" : result, std::move(extra)});
    };
    auto wanted = [&](const std::string& source) {
      return std::find(o_.originals.begin(), o_.originals.end(), source) != o_.originals.end();
    };
    std::string own;
    if (wanted("llm")) {
      own = trim(
          writer_.greedy(writer_.model().chat_tokens(fill(prompts_.solve, {{"prompt", p.question}})), o_.max_tokens));
      row["llm_solution_correct"] = grade(p, own).correct;
    }

    const CompressOptions coding = rewrite_coding(p);
    lossy::LossyOptions lo;
    lo.coding = coding;
    lo.seed = o_.seed;
    lo.temperature = o_.temperature;
    lo.max_tokens = o_.max_tokens;
    lo.hide_answer = true;
    lo.weigh_payloads = true;  // the rows' bits are the coded text's

    // Shortest of N fresh answers does not depend on the source text.
    lo.method = lossy::Method::shortest_of_n;
    lo.candidates = o_.candidates;
    const auto fresh = lossy::compress_lossy(m_.coder, m_.writer, {}, lo, fresh_prompts_);
    const std::string& fresh_text = fresh.candidates[fresh.chosen].text;
    variant(rewrite_entry("", "shortest_of_n"), fresh_text, payload_bits(fresh.file), fresh.seconds,
            stated_answer(fresh_text));

    for (const char* source : kRewriteSources) {
      if (!wanted(source)) continue;  // the row holds no entry for it
      const std::string original = std::string(source) == "reference" ? p.solution : own;
      nlohmann::json s = {{"original_bytes", original.size()}};
      if (original.empty()) {
        row[source] = s;
        continue;
      }
      const std::string result = stated_answer(original);
      const Stopwatch lossless;
      const uint64_t lossless_bits = coded_bits(m_.coder, original, coding);
      variant(rewrite_entry(source, "lossless"), original, lossless_bits, lossless.seconds(), result);
      lo.method = lossy::Method::rewrite;
      lo.candidates = o_.candidates;
      // The sender checks candidates with the solver's view of them, through the solver that grades
      // them. Where the original states no result there is nothing to check against: it is sent.
      // Programs have no result to mask: the solver's program must pass the test the problem shows.
      const bool checkable = code ? !p.shown_tests.empty() : !result.empty();
      lo.check = !checkable ? lossy::CandidateCheck()
                 : code     ? shown_tests_check(p)
                            : lossy::detail::answer_check(solver_, prompts_, p.question, result, o_.max_tokens);
      const auto best = lossy::compress_lossy(m_.coder, m_.writer,
                                              std::vector<uint8_t>(original.begin(), original.end()), lo, prompts_);
      // Candidate 0 is the greedy rewrite, the single-rewrite row (its bits and seconds are the
      // sender's: writing it and coding it once, inside compress_lossy). A rewrite no smaller than
      // the original is not sent: the original is, losslessly.
      auto sent = [&](nlohmann::json::json_pointer at, const lossy::Candidate& c, double seconds) {
        if (c.sendable)
          variant(std::move(at), c.text, 8 * uint64_t(c.payload_bytes), seconds, result);
        else
          variant(std::move(at), original, lossless_bits, seconds, result, {{"sent_original", true}});
      };
      sent(rewrite_entry(source, "rewrite"), best.candidates[0], best.candidates[0].seconds);
      sent(rewrite_entry(source, "best_of_n_rewrite"), best.candidates[best.cheapest],
           best.seconds - best.check_seconds);
      if (checkable) {
        size_t checked = 0;
        for (const auto& c : best.candidates) checked += c.accepted.has_value();
        variant(rewrite_entry(source, "checked_rewrite"),
                best.kept_input ? original : best.candidates[best.chosen].text, payload_bits(best.file), best.seconds,
                result, {{"checked", checked}, {"sent_original", best.kept_input}});
      } else if (!code) {
        variant(rewrite_entry(source, "checked_rewrite"), original, lossless_bits, best.seconds, result,
                {{"checked", 0}, {"sent_original", true}});
      }  // (a program benchmark that shows no test, HumanEval, has no checked rewrite)
      row[source] = s;
    }
    solve_all(p, variants, row);
    row["seconds"] = whole.seconds();  // everything this problem took, the solver's answers included
    return row;
  }

 private:
  // A text to show the solver, where its result goes in the row (a JSON pointer), and what sending
  // it cost: coded bits and the sender's wall seconds (writing and coding).
  struct Variant {
    nlohmann::json::json_pointer at;
    std::string text;
    uint64_t bits;
    double seconds;
    std::string result;    // masked in what the solver is shown
    nlohmann::json extra;  // more fields for the row's entry
  };

  // The sender's check of a rewrite of a program: the program the solver writes from it passes the
  // test the problem shows (the request is the one solve_all grades, answered once).
  lossy::CandidateCheck shown_tests_check(const Problem& p) {
    return [this, &p](const std::string& text) {
      Problem shown = p;
      shown.tests = p.shown_tests;
      return grade(shown, solver_.greedy(lossy::detail::solve_request(solver_.model(), prompts_, p.question, text),
                                         o_.max_tokens))
          .correct;
    };
  }

  // The final answer a text states ("" for programs, and where it states none).
  static std::string stated_answer(const std::string& text) { return qa::extract_answer(text).value_or(""); }

  // What the solver makes of each text, with the result it was meant to carry hidden (a program has
  // none to hide: it is shown whole): all solved side by side, and graded as benchmark replies are
  // (programs by tests). A check of the same text was the same request, answered from memory.
  void solve_all(const Problem& p, const std::vector<Variant>& variants, nlohmann::json& row) {
    std::vector<std::vector<llama_token>> prompts;
    for (const auto& v : variants)
      prompts.push_back(lossy::detail::solve_request(
          solver_.model(), prompts_, p.question,
          p.kind == AnswerKind::code ? v.text : lossy::detail::answer_hidden(v.text, v.result)));
    const auto replies = solver_.greedy(prompts, o_.max_tokens);
    for (size_t i = 0; i < variants.size(); i++) {
      const Grade g = grade(p, replies[i]);
      auto& j = row[variants[i].at];
      j = {{"text", variants[i].text},       {"bytes", variants[i].text.size()}, {"bits", variants[i].bits},
           {"seconds", variants[i].seconds}, {"solver_answer", g.extracted},     {"correct", g.correct}};
      if (!g.note.empty()) j["note"] = g.note;  // why a program failed
      j.update(variants[i].extra);
    }
  }

  const RewriteEvalModels& m_;
  const RewriteEvalOptions& o_;
  lossy::RewritePrompts prompts_, fresh_prompts_;
  detail::Generator writer_, solver_;
  static constexpr uint32_t kCapacity = 4096;
};

}  // namespace

void run_rewrite_eval(const RewriteEvalModels& models, const RewriteEvalOptions& options,
                      const std::function<void(size_t, size_t)>& progress) {
  auto problems = load_benchmark(options.benchmark, options.data_dir);
  if (problems.size() > options.limit) problems.resize(options.limit);
  const bool code = answers_are(problems, AnswerKind::code);
  if (answers_are(problems, AnswerKind::choice))
    fail(ErrorCode::usage,
         "eval rewrite needs worked solutions or programs to rewrite: '" + options.benchmark + "' is multiple choice");
  const auto& prompts = code ? lossy::code_rewrite_prompts() : lossy::default_rewrite_prompts();
  ResultsFile results(options.results, options.resume, nullptr);
  run_problems(
      problems, results, options.jobs,
      [&]() -> SolveProblem {
        auto runner = std::make_shared<Runner>(models, options, prompts);
        return [runner, &models, &options, &prompts, code](const Problem& p) {
          nlohmann::json row = runner->problem(p);
          row["benchmark"] = options.benchmark;
          row["models"] = {
              {"coder", models.coder.name()}, {"writer", models.writer.name()}, {"solver", models.solver.name()}};
          row["settings"] = {
              {"candidates", options.candidates},   {"seed", options.seed},
              {"temperature", options.temperature}, {"max_tokens", options.max_tokens},
              {"prompts", prompts.version},         {"solver_view", code ? "program" : "answer hidden and masked"}};
          return row;
        };
      },
      progress);
}

nlohmann::json summarize_rewrite_eval(const std::string& results_path) {
  nlohmann::json summary = {{"results", results_path}, {"problems", 0}};
  // Per source and method, one entry per problem that has the source: bits sent, bytes of the
  // original, and whether the solver got the answer; the sender's seconds where the row records them.
  std::map<std::string, std::map<std::string, std::vector<double>>> bits, right, seconds;
  std::map<std::string, std::vector<double>> bytes;
  size_t problems = 0, llm_written = 0, llm_right = 0;
  for (const auto& row : read_results(results_path)) {
    problems++;
    llm_written += row.contains("llm_solution_correct");  // not in a row that rewrote only the reference
    llm_right += row.value("llm_solution_correct", false);
    summary["benchmark"] = row.value("benchmark", "");
    if (problems > 1 && (row["models"] != summary["models"] || row["settings"] != summary["settings"]))
      fail(ErrorCode::corrupt, results_path + ": rows from different models or settings (problem " + row["id"].dump() +
                                   "); summarize each run apart");
    summary["models"] = row["models"];
    summary["settings"] = row["settings"];
    if (row.contains("recoded_from")) summary["recoded_from"] = row["recoded_from"];
    for (const char* source : kRewriteSources) {
      if (!row.contains(source) || !row[source].contains("lossless")) continue;
      const auto& s = row[source];
      bytes[source].push_back(s["original_bytes"].get<double>());
      for (const char* method : kRewriteMethods) {
        if (!row.contains(rewrite_entry(source, method))) continue;  // checked_rewrite: not where no test is shown
        const auto& v = row[rewrite_entry(source, method)];
        bits[source][method].push_back(v["bits"].get<double>());
        right[source][method].push_back(v["correct"].get<bool>());
        if (v.contains("seconds")) seconds[source][method].push_back(v["seconds"].get<double>());
      }
    }
  }
  summary["problems"] = problems;
  summary["llm_solutions"] = llm_written;
  summary["llm_accuracy_alone"] = llm_written ? double(llm_right) / llm_written : 0;
  auto sum_at = [](const std::vector<double>& v, std::span<const size_t> idx) {
    double total = 0;
    for (size_t i : idx) total += v[i];
    return total;
  };
  for (const char* source : kRewriteSources) {
    const size_t n = bytes[source].size();
    if (n == 0) continue;
    std::vector<size_t> every(n);
    std::iota(every.begin(), every.end(), size_t(0));
    const auto& lossless_bits = bits[source]["lossless"];
    const auto& lossless_right = right[source]["lossless"];
    for (const char* method : kRewriteMethods) {
      const auto& b = bits[source][method];
      const auto& r = right[source][method];
      if (b.empty()) continue;  // checked_rewrite: not where no test is shown
      if (b.size() != n)
        fail(ErrorCode::corrupt, results_path + ": " + method + " is in some rows only (rows of different builds?)");
      std::vector<double> minus_lossless(n);
      for (size_t i = 0; i < n; i++) minus_lossless[i] = r[i] - lossless_right[i];
      summary["sources"][source][method] = {
          {"ratio", sum_at(b, every) / (8 * sum_at(bytes[source], every))},
          {"mean_bits", sum_at(b, every) / double(n)},
          {"solver_accuracy", mean_at(r, every)},
          // Paired by problem: bits against lossless coding of the same texts, accuracy against the
          // solver's on the originals.
          {"bits_vs_lossless",
           to_json(bootstrap(n, [&](auto idx) { return sum_at(b, idx) / sum_at(lossless_bits, idx); }))},
          {"accuracy", to_json(bootstrap(n, [&](auto idx) { return mean_at(r, idx); }))},
          {"accuracy_minus_lossless", to_json(bootstrap(n, [&](auto idx) { return mean_at(minus_lossless, idx); }))},
          {"n", double(n)}};
      const auto& sec = seconds[source][method];
      if (!sec.empty()) {
        summary["sources"][source][method]["mean_seconds"] = std::accumulate(sec.begin(), sec.end(), 0.0) / sec.size();
        summary["sources"][source][method]["timed"] = sec.size();
      }
    }
  }
  return summary;
}

namespace {

// What the solver was shown, as the rows' settings record it (rows of builds before the mask record nothing).
std::string solver_view_text(const std::string& view) {
  if (view == "program") return "program, written from the text, passes the tests, in %";
  if (view == "answer hidden and masked")
    return "final answer from the text with the result it carries hidden (answer lines removed, every copy of the "
           "original's final answer masked), in %; checked_rewrite = the cheapest candidate from which the solver, "
           "run by the sender, still gets the original's answer, else the original itself";
  return "final answer from the text with its answer lines removed (graded before the mask: a text that states the "
         "result elsewhere shows it to the solver), in %";
}

// Mean seconds, and over how many rows when not all of them record it.
std::string sender_seconds(const nlohmann::json& method) {
  if (!method.contains("mean_seconds")) return "";
  char text[48];
  const int timed = method["timed"].get<int>(), n = int(method["n"].get<double>());
  if (timed == n)
    snprintf(text, sizeof text, "%.1f", method["mean_seconds"].get<double>());
  else
    snprintf(text, sizeof text, "%.1f (%d of %d rows)", method["mean_seconds"].get<double>(), timed, n);
  return text;
}

}  // namespace

std::string rewrite_eval_markdown(const nlohmann::json& s) {
  std::ostringstream md;
  md << "Lossy rewrite on " << s.value("benchmark", "?") << ", " << s["problems"] << " problems. Coder "
     << s["models"].value("coder", "?") << ", writer (stronger model) " << s["models"].value("writer", "?")
     << ", solver " << s["models"].value("solver", "?") << "; N = " << s["settings"].value("candidates", 0)
     << ". Ratio = coded bits of what is sent (container header excluded) / (8 x bytes of the original "
        "solution); % of lossless = its bits over those of coding the original losslessly; accuracy = the solver's "
     << solver_view_text(s["settings"].value("solver_view", ""))
     << "; minus lossless = that accuracy minus the solver's on the original, in points; sender s = mean wall "
        "seconds per problem to write and code what is sent (over the rows that record it). Intervals: "
        "problem-level bootstrap 95%, paired by problem.\n\n";
  if (s.contains("recoded_from"))
    md << "Coded again by `llmz eval recode`: the texts are those of a run whose coder was "
       << s["recoded_from"].get<std::string>()
       << " (best-of-N, checked and shortest-of-N keep the text that coder chose); the solver's verdicts are that "
          "run's, and sender seconds are not measured.\n\n";
  md << "| source | method | ratio | % of lossless bits | solver accuracy | minus lossless | sender s | n |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const char* source : kRewriteSources) {
    if (!s.contains("sources") || !s["sources"].contains(source)) continue;
    for (const char* method : kRewriteMethods) {
      if (!s["sources"][source].contains(method)) continue;
      const auto& v = s["sources"][source][method];
      const bool lossless = std::string(method) == "lossless";
      char ratio[32];
      snprintf(ratio, sizeof ratio, "%.4f", v["ratio"].get<double>());
      md << "| " << source << " | " << method << " | " << ratio << " | "
         << (lossless ? "100" : interval_text(v["bits_vs_lossless"])) << " | " << interval_text(v["accuracy"]) << " | "
         << (lossless ? "" : interval_text(v["accuracy_minus_lossless"])) << " | " << sender_seconds(v) << " | "
         << int(v["n"].get<double>()) << " |\n";
    }
  }
  const int written = s.value("llm_solutions", s["problems"].get<int>());  // summaries of older builds: every row
  if (written > 0) {
    char tail[160];
    snprintf(tail, sizeof tail,
             "\nThe writer's own solutions were right on %.3f of the %d problems it wrote one for.\n",
             s["llm_accuracy_alone"].get<double>(), written);
    md << tail;
  }
  return md.str();
}

}  // namespace llmz::eval
