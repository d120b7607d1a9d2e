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

size_t recode_rewrite_eval(const Model& coder, const std::string& results_path, const std::string& out_path,
                           bool overwrite, const std::string& data_dir,
                           const std::function<void(size_t, size_t)>& progress) {
  std::vector<nlohmann::json> rows = read_results(results_path);
  TempFile out(out_path, overwrite || out_path == results_path);  // refuses an existing output before any work
  std::map<std::string, Problem> problems;
  for (size_t i = 0; i < rows.size(); i++) {
    auto& row = rows[i];
    if (!row.contains("shortest_of_n") || !row.contains("models"))
      fail(ErrorCode::usage, results_path + ": not the results of `llmz eval rewrite`");
    if (problems.empty())
      for (auto& p : load_benchmark(row.at("benchmark"), data_dir)) problems.emplace(p.id, std::move(p));
    const auto it = problems.find(row.at("id").get<std::string>());
    if (it == problems.end())
      fail(ErrorCode::corrupt, results_path + ": problem " + row["id"].dump() + " is not in the benchmark");
    const CompressOptions coding = rewrite_coding(it->second);
    std::set<std::string> done;  // shortest_of_n is one entry for both sources
    for (const char* source : kRewriteSources)
      for (const char* method : kRewriteMethods) {
        const auto at = rewrite_entry(source, method);
        if (!row.contains(at) || !done.insert(at.to_string()).second) continue;  // no original from this source
        auto& entry = row[at];
        const std::string text = entry.at("text");
        const std::vector<uint8_t> bytes(text.begin(), text.end());
        entry["bits"] = text.empty() ? 0 : payload_bits(compress(coder, bytes, coding));
        entry.erase("seconds");  // the sender's time was measured with the first coder
      }
    row.erase("seconds");
    // Best-of-N and shortest-of-N keep the first coder's choice of text.
    if (!row.contains("recoded_from")) row["recoded_from"] = row["models"]["coder"];
    row["models"]["coder"] = coder.name();
    if (progress) progress(i + 1, rows.size());
  }
  for (const auto& row : rows) {
    const std::string line = row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    out.write({reinterpret_cast<const uint8_t*>(line.data()), line.size()});
  }
  out.commit();
  return rows.size();
}

}  // namespace llmz::eval
