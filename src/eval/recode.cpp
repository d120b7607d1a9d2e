// `llmz eval recode`: the texts of a rewrite results file coded again with another coder. The writer's
// texts and the solver's verdicts are kept, so a second coder costs only its coding time.
#include <map>
#include <set>

#include "common/error.h"
#include "common/temp_file.h"
#include "eval/results_file.h"
#include "eval/rewrite_rows.h"
#include "llmz/eval.h"

namespace llmz::eval {

namespace {

// Codes every text of one row again and says so in the row. The row must be about problem p, as the
// benchmark holds it now: the problem is the coding context.
void recode_row(const Model& coder, const Problem& p, nlohmann::json& row, const std::string& where) {
  if (row.at("gold").get<std::string>() != p.answer ||
      (row.contains("/reference/lossless"_json_pointer) &&
       row["/reference/lossless/text"_json_pointer].get<std::string>() != p.solution))
    fail(ErrorCode::corrupt, where + ": not the problem the benchmark holds under this id (another --data?)");
  const CompressOptions coding = rewrite_coding(p);
  std::set<std::string> done;  // shortest_of_n is one entry for both sources
  for (const char* source : kRewriteSources)
    for (const char* method : kRewriteMethods) {
      const auto at = rewrite_entry(source, method);
      if (!row.contains(at) || !done.insert(at.to_string()).second) continue;  // no original from this source
      auto& entry = row[at];
      entry["bits"] = coded_bits(coder, entry.at("text").get<std::string>(), coding);
      entry.erase("seconds");  // the sender's time was measured with the first coder
    }
  row.erase("seconds");
  // Best-of-N, checked and shortest-of-N keep the first coder's choice of text.
  if (!row.contains("recoded_from")) row["recoded_from"] = row.at("models").at("coder");
  row["models"]["coder"] = coder.name();
}

}  // namespace

size_t recode_rewrite_eval(const Model& coder, const std::string& results_path, const std::string& out_path,
                           bool overwrite, const std::string& data_dir,
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
      recode_row(coder, it->second, row, where);
    } catch (const nlohmann::json::exception& e) {
      fail(ErrorCode::corrupt, where + ": damaged (" + e.what() + ")");
    }
    if (progress) progress(i + 1, rows.size());
  }
  write_results(out, rows);
  out.commit();
  return rows.size();
}

}  // namespace llmz::eval
