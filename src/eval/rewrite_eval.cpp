// `llmz eval rewrite`: every method of sending a solution, coded and solved, one row per problem.
#include <algorithm>

#include "common/error.h"
#include "common/stopwatch.h"
#include "common/templates.h"
#include "common/text.h"
#include "eval/grading.h"
#include "eval/results_file.h"
#include "eval/rewrite_rows.h"
#include "eval/rewrite_solving.h"
#include "eval/run_problems.h"
#include "llmz/eval.h"
#include "llmz/lossy.h"
#include "lossy/answer_check.h"
#include "model/generator.h"
#include "model/loaded_model.h"

namespace llmz::eval {

namespace {

class Runner {
 public:
  Runner(const RewriteEvalModels& m, const RewriteEvalOptions& o, const lossy::RewritePrompts& prompts)
      : m_(m),
        o_(o),
        prompts_(prompts),
        writer_(detail::loaded_model(m.writer), kCapacity),
        solver_(detail::loaded_model(m.solver), kSolverCapacity, solver_slots()) {
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
        nlohmann::json extra = {{"checked", checked}, {"sent_original", best.kept_input}};
        if (best.input_accepted == false) extra["original_failed_check"] = true;  // so the cheapest went
        variant(rewrite_entry(source, "checked_rewrite"),
                best.kept_input ? original : best.candidates[best.chosen].text, payload_bits(best.file), best.seconds,
                result, extra);
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

  // What the solver makes of each text, with the result it was meant to carry hidden (a program has
  // none to hide: it is shown whole): all solved side by side, and graded as benchmark replies are
  // (programs by tests). A check of the same text was the same request, answered from memory.
  void solve_all(const Problem& p, const std::vector<Variant>& variants, nlohmann::json& row) {
    std::vector<ShownText> shown;
    for (const auto& v : variants) shown.push_back({v.text, v.result});
    const auto grades = solve_texts(solver_, prompts_, p, shown, o_.max_tokens);
    for (size_t i = 0; i < variants.size(); i++) {
      const Grade& g = grades[i];
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
  const auto& prompts = rewrite_prompts_for(code);
  // A resumed run continues only a file made with the same settings (the check's fallback among them:
  // files from before it have other rows and are refused).
  const nlohmann::json settings = {
      {"candidates", options.candidates},
      {"seed", options.seed},
      {"temperature", options.temperature},
      {"max_tokens", options.max_tokens},
      {"prompts", prompts.version},
      {"solver_view", code ? "program" : "answer hidden and masked"},
      {"checked_fallback", "the cheapest candidate when the original fails the check too"}};
  ResultsFile results(options.results, options.resume, settings);
  run_problems(
      problems, results, options.jobs,
      [&]() -> SolveProblem {
        auto runner = std::make_shared<Runner>(models, options, prompts);
        return [runner, &models, &options, &settings](const Problem& p) {
          nlohmann::json row = runner->problem(p);
          row["benchmark"] = options.benchmark;
          row["models"] = {
              {"coder", models.coder.name()}, {"writer", models.writer.name()}, {"solver", models.solver.name()}};
          row["settings"] = settings;
          return row;
        };
      },
      progress);
}

}  // namespace llmz::eval
