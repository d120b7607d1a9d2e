#include "eval/qa_rows.h"

#include <map>

#include "eval/grading.h"
#include "qa/prompts.h"

namespace llmz::eval {

namespace {

// The built-in prompts a row was made with in candidates mode, or nullptr.
const qa::Prompts* candidate_prompts_of(const nlohmann::json& settings) {
  if (settings.value("mode", "") != "candidates") return nullptr;
  return qa::builtin_prompts(settings.value("prompts", nlohmann::json::object()).value("hash", uint64_t(0)));
}

}  // namespace

std::optional<std::pair<std::string, std::string>> candidate_question_parts(const nlohmann::json& settings) {
  const qa::Prompts* p = candidate_prompts_of(settings);
  if (!p || qa::candidate_kind(*p) == qa::CandidateKind::program) return std::nullopt;
  const size_t at = p->candidate_question.find("{answer}");
  if (at == std::string::npos) return std::nullopt;
  return std::pair{p->candidate_question.substr(0, at), p->candidate_question.substr(at + 8)};
}

std::optional<std::string> named_answer(const std::string& q, const std::pair<std::string, std::string>& parts) {
  const auto& [before, after] = parts;
  if (q.size() < before.size() + after.size() || q.compare(0, before.size(), before) != 0 ||
      q.compare(q.size() - after.size(), after.size(), after) != 0)
    return std::nullopt;
  return q.substr(before.size(), q.size() - before.size() - after.size());
}

bool asks_about_programs(const nlohmann::json& settings) {
  const qa::Prompts* p = candidate_prompts_of(settings);
  return p && qa::candidate_kind(*p) == qa::CandidateKind::program;
}

RegradeReport grade_asked_programs(nlohmann::json& row, const Problem& problem) {
  RegradeReport report;
  if (problem.kind != AnswerKind::code || !row.contains("configs")) return report;
  std::map<std::string, bool> passes;  // the configurations ask about the same samples
  for (auto& [name, config] : row["configs"].items()) {
    if (!config.contains("turns")) continue;
    for (auto& t : config["turns"]) {
      const std::string& q = t.at("q").get_ref<const std::string&>();
      auto it = passes.find(q);
      // The question holds the program in a ```python block, as a reply would.
      if (it == passes.end()) it = passes.emplace(q, grade(problem, q).correct).first;
      report.graded++;
      report.changed += t.contains("program_passes") && t["program_passes"] != it->second;
      t["program_passes"] = it->second;
    }
  }
  return report;
}

}  // namespace llmz::eval
