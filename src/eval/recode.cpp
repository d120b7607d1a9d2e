// `llmz eval recode` and `llmz eval resolve`: the texts of a rewrite results file coded again with
// another coder, or solved again by another solver. The writer's texts are kept, so a second coder
// or reader costs only its coding or solving time.
#include <map>
#include <set>

#include "common/error.h"
#include "common/temp_file.h"
#include "eval/results_file.h"
#include "eval/rewrite_rows.h"
#include "eval/rewrite_solving.h"
#include "llmz/eval.h"
#include "model/loaded_model.h"

namespace llmz::eval {

namespace {

// Each entry of a row once (shortest_of_n is one entry for both sources), with the source it is of.
template <typename Visit>
void for_each_entry(nlohmann::json& row, Visit visit) {
  std::set<std::string> done;
  for (const char* source : kRewriteSources)
    for (const char* method : kRewriteMethods) {
      const auto at = rewrite_entry(source, method);
      if (!row.contains(at) || !done.insert(at.to_string()).second) continue;  // no original from this source
      visit(source, method, row[at]);
    }
}

// Codes every text of one row again and says so in the row.
void recode_row(const Model& coder, const Problem& p, nlohmann::json& row) {
  const CompressOptions coding = rewrite_coding(p);
  for_each_entry(row, [&](const std::string&, const std::string&, nlohmann::json& entry) {
    entry["bits"] = coded_bits(coder, entry.at("text").get<std::string>(), coding);
    entry.erase("seconds");  // the sender's time was measured with the first coder
  });
  row.erase("seconds");
  // Best-of-N, checked and shortest-of-N keep the first coder's choice of text.
  if (!row.contains("recoded_from")) row["recoded_from"] = row.at("models").at("coder");
  row["models"]["coder"] = coder.name();
}

// Solves every text of one row again with solver, as the run solved them (the same view and
// prompts), and says so in the row. The bits, and the sender's choice of texts, stay the run's.
void resolve_row(detail::Generator& solver, const Reading& reading, const Problem& p, nlohmann::json& row,
                 const std::string& where) {
  const auto& prompts = rewrite_prompts_for(p.kind == AnswerKind::code);
  if (row.at("settings").at("prompts") != prompts.version)
    fail(ErrorCode::corrupt,
         where + ": made with prompts " + row["settings"]["prompts"].dump() + ", this build has " + prompts.version);
  std::vector<nlohmann::json*> entries;
  std::vector<ShownText> shown;
  for_each_entry(row, [&](const std::string& source, const std::string& method, nlohmann::json& entry) {
    const std::string text = entry.at("text").get<std::string>();
    // What the text was meant to carry: its source original's result (a fresh answer's own).
    const std::string original =
        method == "shortest_of_n" ? text : row.at(source).at("lossless").at("text").get<std::string>();
    entries.push_back(&entry);
    shown.push_back({text, stated_answer(original)});
  });
  const auto grades =
      solve_texts(solver, prompts, p, shown, row.at("settings").at("max_tokens").get<uint32_t>(), reading);
  for (size_t i = 0; i < entries.size(); i++) {
    auto& entry = *entries[i];
    entry["solver_answer"] = grades[i].extracted;
    entry["correct"] = grades[i].correct;
    entry.erase("note");
    if (!grades[i].note.empty()) entry["note"] = grades[i].note;
  }
  row.erase("seconds");
  if (!row.contains("resolved_from")) row["resolved_from"] = row.at("models").at("solver");
  row["models"]["solver"] = solver.model().name();
  auto& settings = row["settings"];
  settings.erase("solver_temperature");
  settings.erase("solver_seed");
  if (reading.temperature > 0) {
    settings["solver_temperature"] = reading.temperature;
    settings["solver_seed"] = reading.seed;
  }
}

// Reworks every row of a rewrite results file into out_path. Each row must be about problem p as the
// benchmark holds it now: the problem is the coding context and the solver's question.
size_t rework_rewrite_rows(const std::string& results_path, const std::string& out_path, bool overwrite,
                           const std::string& data_dir,
                           const std::function<void(const Problem&, nlohmann::json&, const std::string&)>& rework,
                           const std::function<void(size_t, size_t)>& progress) {
  std::vector<nlohmann::json> rows = read_results(results_path);
  TempFile out(out_path, overwrite);  // refuses an existing output (the run itself too) before any work
  std::map<std::string, Problem> problems;
  for (size_t i = 0; i < rows.size(); i++) {
    auto& row = rows[i];
    const std::string where = results_path + ": row " + std::to_string(i + 1);
    if (!row.is_object() || !row.contains("shortest_of_n") || !row.contains("models"))
      fail(ErrorCode::usage, results_path + ": not the results of `llmz eval rewrite`");
    try {
      if (problems.empty())
        for (auto& p : load_benchmark(row.at("benchmark"), data_dir)) problems.emplace(p.id, std::move(p));
      const auto it = problems.find(row.at("id").get<std::string>());
      if (it == problems.end())
        fail(ErrorCode::corrupt, where + ": problem " + row["id"].dump() + " is not in the benchmark");
      const Problem& p = it->second;
      if (row.at("gold").get<std::string>() != p.answer ||
          (row.contains("/reference/lossless"_json_pointer) &&
           row["/reference/lossless/text"_json_pointer].get<std::string>() != p.solution))
        fail(ErrorCode::corrupt, where + ": not the problem the benchmark holds under this id (another --data?)");
      rework(p, row, where);
    } catch (const nlohmann::json::exception& e) {
      fail(ErrorCode::corrupt, where + ": damaged (" + e.what() + ")");
    }
    if (progress) progress(i + 1, rows.size());
  }
  write_results(out, rows);
  out.commit();
  return rows.size();
}

}  // namespace

size_t recode_rewrite_eval(const Model& coder, const std::string& results_path, const std::string& out_path,
                           bool overwrite, const std::string& data_dir,
                           const std::function<void(size_t, size_t)>& progress) {
  return rework_rewrite_rows(
      results_path, out_path, overwrite, data_dir,
      [&](const Problem& p, nlohmann::json& row, const std::string&) { recode_row(coder, p, row); }, progress);
}

size_t resolve_rewrite_eval(const Model& solver, const Reading& reading, const std::string& results_path,
                            const std::string& out_path, bool overwrite, const std::string& data_dir,
                            const std::function<void(size_t, size_t)>& progress) {
  detail::Generator generator(detail::loaded_model(solver), kSolverCapacity, solver_slots());
  return rework_rewrite_rows(
      results_path, out_path, overwrite, data_dir,
      [&](const Problem& p, nlohmann::json& row, const std::string& where) {
        resolve_row(generator, reading, p, row, where);
      },
      progress);
}

}  // namespace llmz::eval
