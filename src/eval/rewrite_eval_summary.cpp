// The summary of an `llmz eval rewrite` run and its table: each method paired with lossless coding
// of the same originals, with problem-level bootstrap intervals.
#include <cstdio>
#include <map>
#include <numeric>
#include <span>
#include <sstream>

#include "common/error.h"
#include "eval/results_file.h"
#include "eval/rewrite_rows.h"
#include "eval/stats.h"
#include "llmz/eval.h"

namespace llmz::eval {

nlohmann::json summarize_rewrite_eval(const std::string& results_path) {
  nlohmann::json summary = {{"results", results_path}, {"problems", 0}};
  // Per source and method, one entry per problem that has the source: bits sent, bytes of the
  // original, and whether the solver got the answer; the sender's seconds where the row records them.
  std::map<std::string, std::map<std::string, std::vector<double>>> bits, right, seconds;
  std::map<std::string, std::vector<double>> bytes;
  std::map<std::string, size_t> sent_original, original_failed;  // the checked rewrite's fallbacks
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
    if (row.contains("resolved_from")) summary["resolved_from"] = row["resolved_from"];
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
        if (std::string(method) == "checked_rewrite") {
          sent_original[source] += v.value("sent_original", false);
          original_failed[source] += v.value("original_failed_check", false);
        }
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
      if (std::string(method) == "checked_rewrite") {
        summary["sources"][source][method]["sent_original"] = sent_original[source];
        summary["sources"][source][method]["original_failed_check"] = original_failed[source];
      }
    }
  }
  return summary;
}

namespace {

// What the solver was shown, as the rows' settings record it (rows of builds before the mask record
// nothing), and what the checked rewrite sends.
std::string solver_view_text(const nlohmann::json& settings) {
  const std::string view = settings.value("solver_view", "");
  const std::string fallback = settings.contains("checked_fallback")
                                   ? " (the cheapest candidate where the solver misses it from the original too)"
                                   : "";
  if (view == "program")
    return "program, written from the text, passes the tests, in %; checked_rewrite = the cheapest candidate from "
           "which the solver's program passes the test the problem shows, else the original" +
           fallback;
  if (view == "answer hidden and masked")
    return "final answer from the text with the result it carries hidden (answer lines removed, every copy of the "
           "original's final answer masked), in %; checked_rewrite = the cheapest candidate from which the solver, "
           "run by the sender, still gets the original's answer, else the original itself" +
           fallback;
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
     << solver_view_text(s["settings"])
     << "; minus lossless = that accuracy minus the solver's on the original, in points; sender s = mean wall "
        "seconds per problem to write and code what is sent (over the rows that record it). Intervals: "
        "problem-level bootstrap 95%, paired by problem.\n\n";
  if (s.contains("recoded_from"))
    md << "Coded again by `llmz eval recode`: the texts are those of a run whose coder was "
       << s["recoded_from"].get<std::string>()
       << " (best-of-N, checked and shortest-of-N keep the text that coder chose); the solver's verdicts are that "
          "run's, and sender seconds are not measured.\n\n";
  if (s.contains("resolved_from")) {
    md << "Solved again by `llmz eval resolve`: the texts and their bits are those of a run whose solver was "
       << s["resolved_from"].get<std::string>()
       << "; that solver's check chose the checked rewrite, this one only reads it";
    if (s["settings"].contains("solver_temperature"))
      md << ", its replies sampled at temperature " << s["settings"]["solver_temperature"].get<double>() << " (seed "
         << s["settings"]["solver_seed"] << ")";
    md << ".\n\n";
  }
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
  for (const char* source : kRewriteSources) {
    if (!s.contains("sources") || !s["sources"].contains(source) || !s["sources"][source].contains("checked_rewrite"))
      continue;
    const auto& c = s["sources"][source]["checked_rewrite"];
    md << "\nchecked_rewrite of the " << source << " texts: the original sent on " << c.value("sent_original", 0)
       << " of " << int(c["n"].get<double>()) << " problems";
    if (c.value("original_failed_check", 0) > 0)
      md << "; the cheapest candidate sent because the solver missed the answer from the original too on "
         << c.value("original_failed_check", 0);
    md << ".\n";
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
