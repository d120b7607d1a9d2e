// `llmz eval regrade`: the stored replies of a QA results file graded again, after a fix to the
// grader, without running any model, and the programs its candidate questions show (qa_rows.h);
// every other field stays as it was.
#include <functional>
#include <map>

#include "common/error.h"
#include "common/temp_file.h"
#include "eval/grading.h"
#include "eval/qa_rows.h"
#include "eval/results_file.h"
#include "llmz/eval.h"

namespace llmz::eval {

namespace {

// Every object under j holding a reply and its grade: graded again against the problem.
void regrade_json(nlohmann::json& j, const Problem& p, RegradeReport& report) {
  if (j.is_object() && j.contains("reply") && j["reply"].is_string() && j.contains("correct")) {
    const Grade g = grade(p, j["reply"].get<std::string>());
    report.graded++;
    if (j["correct"] != g.correct) report.changed++;
    j["correct"] = g.correct;
    j["answer"] = p.kind == AnswerKind::code ? "" : g.extracted;
    if (g.note.empty()) {
      j.erase("note");
    } else {
      j["note"] = g.note;
    }
  }
  if (j.is_structured())
    for (auto& child : j) regrade_json(child, p, report);
}

}  // namespace

RegradeReport regrade_qa_eval(const std::string& results_path, const std::string& data_dir,
                              const std::function<void(size_t, size_t)>& progress) {
  std::vector<nlohmann::json> rows = read_results(results_path);
  std::map<std::string, Problem> problems;
  RegradeReport report;
  for (auto& row : rows) {
    const auto& settings = row.at("settings");
    if (!settings.contains("oracles")) fail(ErrorCode::usage, results_path + ": not the results of `llmz eval qa`");
    if (problems.empty())
      for (auto& p : load_benchmark(settings.at("benchmark"), data_dir, settings.value("seed", uint64_t(0))))
        problems.emplace(p.id, std::move(p));
    const auto it = problems.find(row.at("id").get<std::string>());
    if (it == problems.end())
      fail(ErrorCode::corrupt, results_path + ": problem " + row["id"].dump() + " is not in the benchmark");
    for (const char* part : {"slm", "llm", "configs"})
      if (row.contains(part)) regrade_json(row[part], it->second, report);
    if (asks_about_programs(settings)) {
      const RegradeReport programs = grade_asked_programs(row, it->second);
      report.graded += programs.graded;
      report.changed += programs.changed;
    }
    report.rows++;
    if (progress) progress(report.rows, rows.size());
  }
  TempFile out(results_path, /*overwrite=*/true);
  write_results(out, rows);
  out.commit();
  return report;
}

}  // namespace llmz::eval
