// Aggregation of `llmz eval qa` results: per configuration and N, accuracy and gap recovered with
// problem-level bootstrap intervals, mean bits, and the two compression ratios.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "common/error.h"
#include "eval/qa_rows.h"
#include "eval/results_file.h"
#include "eval/stats.h"
#include "llmz/eval.h"
#include "qa/answers.h"
#include "qa/prompts.h"

namespace llmz::eval {

namespace {

std::vector<double> column(const std::vector<nlohmann::json>& rows,
                           const std::function<double(const nlohmann::json&)>& f) {
  std::vector<double> v;
  for (const auto& r : rows) v.push_back(f(r));
  return v;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// How the oracle's yes/no answers to candidates' final answers match the LLM's own reference answer
// and the gold one: a yes exactly where the candidate is that answer. Problems whose reference names
// no final answer count for the gold only.
nlohmann::json oracle_agreement(const std::vector<nlohmann::json>& rows, const std::string& config,
                                const std::pair<std::string, std::string>& parts) {
  double questions = 0, yes = 0, with_reference = 0, agree_reference = 0, agree_gold = 0;
  for (const auto& r : rows) {
    const std::string reference = r["llm"].value("answer", "");
    for (const auto& t : r["configs"][config].value("turns", nlohmann::json::array())) {
      const auto named = named_answer(t["q"], parts);
      if (!named) continue;
      const std::string& candidate = *named;
      const bool said_yes = t["yes"];
      questions++;
      yes += said_yes;
      if (!reference.empty()) {
        with_reference++;
        agree_reference += said_yes == qa::same_answer(candidate, reference);
      }
      agree_gold += said_yes == qa::same_answer(candidate, r["gold"].get<std::string>());
    }
  }
  return {{"questions", questions},
          {"yes", yes},
          {"with_reference", with_reference},
          {"agree_reference", agree_reference},
          {"agree_gold", agree_gold}};
}

// How a configuration's yes/no answers about programs match the tests' verdict on each program
// (qa_rows.h); nullopt unless every turn was graded.
std::optional<nlohmann::json> test_agreement(const std::vector<nlohmann::json>& rows, const std::string& config) {
  double questions = 0, yes = 0, passing = 0, agree = 0;
  for (const auto& r : rows)
    for (const auto& t : r["configs"][config].value("turns", nlohmann::json::array())) {
      if (!t.contains("program_passes")) return std::nullopt;
      const bool said_yes = t["yes"], passes = t["program_passes"];
      questions++;
      yes += said_yes;
      passing += passes;
      agree += said_yes == passes;
    }
  if (questions == 0) return std::nullopt;
  return nlohmann::json{{"questions", questions}, {"yes", yes}, {"passing", passing}, {"agree", agree}};
}

// Where a configuration's answer at its largest N and the LLM's own answer differ, problem by
// problem. Of the problems only the LLM got right, with candidates asked about by final answer or
// choice: on how many no question named the gold answer (the SLM never offered it, or a wrong
// candidate was confirmed before it came up).
nlohmann::json versus_llm(const std::vector<nlohmann::json>& rows, const std::string& config, const std::string& nq,
                          const std::optional<std::pair<std::string, std::string>>& parts) {
  double both = 0, llm_only = 0, config_only = 0, neither = 0, gold_never_asked = 0;
  for (const auto& r : rows) {
    const bool llm = r["llm"]["correct"], right = r["configs"][config]["by_n"][nq]["correct"];
    both += llm && right;
    config_only += !llm && right;
    neither += !llm && !right;
    if (!llm || right) continue;
    llm_only++;
    if (!parts) continue;
    bool asked = false;
    for (const auto& t : r["configs"][config].value("turns", nlohmann::json::array())) {
      const auto named = named_answer(t["q"], *parts);
      asked = asked || (named && qa::same_answer(*named, r["gold"].get<std::string>()));
    }
    gold_never_asked += !asked;
  }
  nlohmann::json v = {{"n", std::stoi(nq)},
                      {"both_right", both},
                      {"llm_only", llm_only},
                      {"config_only", config_only},
                      {"neither", neither}};
  if (parts) v["llm_only_gold_never_asked"] = gold_never_asked;
  return v;
}

}  // namespace

// Rows some runs add beside the SLM alone, shown for reference: the SLM ranking multiple-choice options,
// and in candidates mode its most frequent answer with no question asked, and on code the first of its
// programs that passes the shown test.
constexpr std::pair<const char*, const char*> kReferenceRows[] = {
    {"slm_likelihood", "SLM ranking the options (reference)"},
    {"slm_majority", "SLM's most frequent answer, no questions (reference)"},
    {"slm_shown_test", "SLM's first program that passes the shown test, no questions (reference)"}};

// The no-bit answers of candidates mode that each configuration at the largest N is compared with,
// paired by problem: a row key, the summary key of the difference and what the report calls it.
struct NoBitAnswer {
  const char *key, *minus_key, *label;
};
constexpr NoBitAnswer kNoBitAnswers[] = {
    {"slm_majority", "minus_majority", "SLM's most frequent answer"},
    {"slm_shown_test", "minus_shown_test", "SLM's first program that passes the shown test"}};

nlohmann::json summarize_qa_eval(const std::string& results_path) {
  const auto rows = read_results(results_path);
  const size_t n = rows.size();
  const auto& settings = rows.front()["settings"];
  nlohmann::json s = {{"results", results_path}, {"problems", n}, {"settings", settings}};
  const auto slm = column(rows, [](const auto& r) { return double(r["slm"]["correct"].template get<bool>()); });
  const auto llm = column(rows, [](const auto& r) { return double(r["llm"]["correct"].template get<bool>()); });
  auto mean = [](const std::vector<double>& v) {
    return [&v](std::span<const size_t> idx) { return mean_at(v, idx); };
  };
  s["slm"]["accuracy"] = to_json(bootstrap(n, mean(slm)));
  s["llm"]["accuracy"] = to_json(bootstrap(n, mean(llm)));
  s["llm"]["method"] = rows.front()["llm"].value("method", "generated");
  for (const auto& [key, label] : kReferenceRows)
    if (std::all_of(rows.begin(), rows.end(), [key](const auto& r) { return r.contains(key); })) {
      const auto right = column(rows, [key](const auto& r) { return double(r[key]["correct"].template get<bool>()); });
      s[key]["accuracy"] = to_json(bootstrap(n, mean(right)));
    }
  std::vector<double> llm_minus_slm(n);
  for (size_t i = 0; i < n; i++) llm_minus_slm[i] = llm[i] - slm[i];
  s["llm_minus_slm"] = to_json(bootstrap(n, mean(llm_minus_slm)));
  const auto llm_bytes = column(rows, [](const auto& r) { return r["llm"]["bytes"].template get<double>(); });
  const auto llm_tokens = column(rows, [](const auto& r) { return r["llm"]["tokens"].template get<double>(); });
  s["llm"]["mean_bytes"] = sum(llm_bytes) / double(n);
  const double log2_vocab = std::log2(settings["llm"]["vocab"].get<double>());

  std::vector<std::pair<const char*, std::vector<double>>> no_bit;  // summary key, right per problem
  for (const auto& [key, minus_key, label] : kNoBitAnswers)
    if (s.contains(key))
      no_bit.emplace_back(
          minus_key, column(rows, [key](const auto& r) { return double(r[key]["correct"].template get<bool>()); }));
  const auto question_parts = candidate_question_parts(settings);
  s["configs"] = nlohmann::json::object();
  const auto configs = rows.front().value("configs", nlohmann::json::object());  // none: baselines only
  int largest_n = 0;
  for (const auto& [config, c] : configs.items())
    for (const auto& [nq, ignored] : c["by_n"].items()) largest_n = std::max(largest_n, std::stoi(nq));
  for (const auto& [config, first] : configs.items()) {
    nlohmann::json c;
    c["mean_seconds"] =
        sum(column(rows, [&](const auto& r) { return r["configs"][config]["seconds"].template get<double>(); })) /
        double(n);
    // a base LLM's letter oracle (choice_letter_oracle.h), an oracle running programs (program_run_oracle.h)
    for (const char* counts : {"letter_answers", "program_runs"})
      if (std::all_of(rows.begin(), rows.end(), [&](const auto& r) { return r["configs"][config].contains(counts); }))
        for (const auto& [key, ignored] : first[counts].items())
          c[counts][key] = sum(
              column(rows, [&](const auto& r) { return r["configs"][config][counts][key].template get<double>(); }));
    if (question_parts && config != "control") c["oracle_agreement"] = oracle_agreement(rows, config, *question_parts);
    if (const auto tests = test_agreement(rows, config)) c["test_agreement"] = *tests;
    for (const auto& [nq, ignored] : first["by_n"].items()) {
      auto field = [&](const char* key) {
        return column(rows,
                      [&](const auto& r) { return r["configs"][config]["by_n"][nq][key].template get<double>(); });
      };
      const auto right = column(rows, [&](const auto& r) {
        return double(r["configs"][config]["by_n"][nq]["correct"].template get<bool>());
      });
      const auto control = column(rows, [&](const auto& r) {
        return double(r["configs"]["control"]["by_n"][nq]["correct"].template get<bool>());
      });
      const auto coded = field("coded_bits");
      nlohmann::json b;
      b["accuracy"] = to_json(bootstrap(n, mean(right)));
      b["gap_recovered"] = to_json(bootstrap(n, [&](std::span<const size_t> idx) {
        return gap_recovered(mean_at(right, idx), mean_at(slm, idx), mean_at(llm, idx));
      }));
      if (config != "control")  // against itself it is 0 by construction
        b["gap_recovered_vs_control"] = to_json(bootstrap(n, [&](std::span<const size_t> idx) {
          return gap_recovered(mean_at(right, idx), mean_at(control, idx), mean_at(llm, idx));
        }));
      // What the bits add to the no-bit answers from the same samples: those of the largest N.
      if (std::stoi(nq) == largest_n)
        for (const auto& [minus_key, other] : no_bit) {
          std::vector<double> minus(n);
          for (size_t i = 0; i < n; i++) minus[i] = right[i] - other[i];
          b[minus_key] = to_json(bootstrap(n, mean(minus)));
        }
      b["mean_asked"] = sum(field("asked")) / double(n);
      b["mean_cost_bits"] = sum(field("cost_bits")) / double(n);
      b["mean_coded_bits"] = sum(coded) / double(n);
      b["ratio"] = sum(coded) / (8 * sum(llm_bytes));
      b["paper_ratio"] = sum(coded) / (sum(llm_tokens) * log2_vocab);
      c["by_n"][nq] = b;
    }
    if (config != "control") {
      const auto ns = sorted_ns(c);
      c["versus_llm"] = versus_llm(rows, config, ns.back().second, question_parts);
    }
    s["configs"][config] = c;
  }
  return s;
}

std::string qa_eval_markdown(const nlohmann::json& s) {
  const auto& st = s["settings"];
  std::ostringstream md;
  md << "Question asking on " << st.value("benchmark", "?") << ", " << s["problems"] << " problems. SLM "
     << st["slm"].value("name", "?") << ", LLM " << st["llm"].value("name", "?") << "; " << st.value("mode", "?")
     << " questions, prompts " << st["prompts"].value("version", "?") << ", seed " << st.value("seed", 0)
     << ". Accuracy and gap recovered in %, with problem-level bootstrap 95% intervals. Gap recovered = "
        "(acc - acc_SLM) / (acc_LLM - acc_SLM); vs control uses the self-refinement control at the same N in "
        "place of the SLM. Ratio = coded bits / (8 x bytes of the LLM's own "
        "solution); paper ratio = coded bits / (LLM solution tokens x log2 vocabulary). Info bits = the answers' "
        "information content under the coder; coded bits = whole bytes of the range-coded answers (a coder that "
        "pads with zeros codes one answer sequence per length in 0 bytes, so short runs can be below the info bits). "
        "qa+ (the LLM writes the "
        "questions) is an upper bound, not deployable; gold-reference is the paper's setting (the oracle is "
        "given the answer).\n\n";
  const bool ranked = s["llm"].value("method", "") == "likelihood";
  if (ranked)
    md << "The LLM is a base (pretrained) model: on multiple choice it answers with the option whose text it finds "
          "likeliest after the question, per byte (as lm-evaluation-harness's acc_norm), and that answer is its own "
          "reference for the oracle; a question naming one choice is answered from that letter (the dataset's in "
          "gold-reference mode), since its Yes/No in words barely follows it (docs/EVAL.md). The SLM writes its first "
          "answer; the SLM ranking the options the same way is shown for reference.\n\n";
  md << "The LLM alone minus the SLM alone: " << interval_text(s["llm_minus_slm"])
     << " points (paired by problem; an interval that contains 0 means this benchmark does not separate the "
        "two models at this size).\n\n";
  md << "| configuration | N | accuracy | gap recovered | gap vs control | questions | info bits | coded bits | ratio "
        "| paper ratio | s/problem |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  md << "| SLM alone | 0 | " << interval_text(s["slm"]["accuracy"]) << " | 0 | | 0 | 0 | 0 | | | |\n";
  char row[512];
  snprintf(row, sizeof row, "| LLM alone%s | | %s | 100 | | | | | | | |\n", ranked ? " (ranking the options)" : "",
           interval_text(s["llm"]["accuracy"]).c_str());
  md << row;
  for (const auto& [key, label] : kReferenceRows)
    if (s.contains(key)) md << "| " << label << " | | " << interval_text(s[key]["accuracy"]) << " | | | | | | | | |\n";
  for (const auto& [config, c] : s["configs"].items()) {
    for (const auto& [k, nq] : sorted_ns(c)) {
      const auto& b = c["by_n"][nq];
      snprintf(row, sizeof row, "| %s | %d | %s | %s | %s | %.1f | %.1f | %.1f | %.4f | %.5f | %.0f |\n",
               config.c_str(), k, interval_text(b["accuracy"]).c_str(), interval_text(b["gap_recovered"]).c_str(),
               b.contains("gap_recovered_vs_control") ? interval_text(b["gap_recovered_vs_control"]).c_str() : "",
               b["mean_asked"].get<double>(), b["mean_cost_bits"].get<double>(), b["mean_coded_bits"].get<double>(),
               b["ratio"].get<double>(), b["paper_ratio"].get<double>(), c["mean_seconds"].get<double>());
      md << row;
    }
  }
  for (const auto& [key, minus_key, label] : kNoBitAnswers) {
    if (!s.contains(key)) continue;
    md << "\nEach configuration minus the " << label << " among the same samples (no bits; paired by problem, points)";
    const char* separator = ": ";
    for (const auto& [config, c] : s["configs"].items())
      for (const auto& [k, nq] : sorted_ns(c))
        if (c["by_n"][nq].contains(minus_key)) {
          md << separator << config << " at N = " << k << " " << interval_text(c["by_n"][nq][minus_key]);
          separator = "; ";
        }
    md << ".\n";
  }
  for (const auto& [config, c] : s["configs"].items())
    if (c.contains("oracle_agreement")) {
      const auto& a = c["oracle_agreement"];
      md << "\n"
         << config << ": the LLM answered " << a["questions"].get<double>() << " questions about candidates' final "
         << "answers (or choices), " << a["yes"].get<double>()
         << " of them yes. Its yes/no matched whether the candidate is its "
         << "own reference answer on " << a["agree_reference"].get<double>() << " of the "
         << a["with_reference"].get<double>() << " whose reference names one, and whether it is the gold answer on "
         << a["agree_gold"].get<double>() << ".\n";
    }
  for (const auto& [config, c] : s["configs"].items())
    if (c.contains("test_agreement")) {
      const auto& a = c["test_agreement"];
      md << "\n"
         << config << ": " << a["questions"].get<double>() << " questions about programs, "
         << a["passing"].get<double>() << " of the programs passing the tests; " << a["yes"].get<double>()
         << " answered yes. The yes/no matched the tests' verdict on " << a["agree"].get<double>() << ".\n";
    }
  for (const auto& [config, c] : s["configs"].items())
    if (c.contains("versus_llm")) {
      const auto& v = c["versus_llm"];
      md << "\n"
         << config << " at N = " << v["n"].get<int>() << " against the LLM alone, problem by problem: both right on "
         << v["both_right"].get<double>() << ", only the LLM on " << v["llm_only"].get<double>();
      if (v.contains("llm_only_gold_never_asked"))
        md << " (on " << v["llm_only_gold_never_asked"].get<double>() << " of these no question named the gold answer)";
      md << ", only " << config << " on " << v["config_only"].get<double>() << ", neither on "
         << v["neither"].get<double>() << ".\n";
    }
  for (const auto& [config, c] : s["configs"].items())
    if (c.contains("program_runs")) {
      const auto& r = c["program_runs"];
      md << "\n"
         << config << ": questions about programs answered by running them beside the reference program "
         << r["runs"].get<double>() << ", by the shown test alone (an own reference that fails it) "
         << r.value("shown", 0.0) << ", " << r["yes"].get<double>() << " of these yes; by the LLM's words (no "
         << "program quoted or none to run beside, or no probe call the reference answers) " << r["words"].get<double>()
         << " (every N's questions counted).\n";
    }
  for (const auto& [config, c] : s["configs"].items())
    if (c.contains("letter_answers")) {
      const auto& l = c["letter_answers"];
      md << "\n"
         << config << ": " << l["answers"].get<double>() << " answers from the letter, " << l["yes"].get<double>()
         << " of them yes. The LLM's Yes/No in words would have agreed on " << l["words_agreed"].get<double>()
         << " of them, on " << l["yes_words_agreed"].get<double>() << " of the yeses.\n";
    }
  return md.str();
}

}  // namespace llmz::eval
