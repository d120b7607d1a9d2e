// An eval's results: a JSONL file with one row per problem, appended as each problem finishes, so
// that a killed run loses at most the problem it was working on.
#pragma once
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/temp_file.h"

namespace llmz::eval {

class ResultsFile {
 public:
  // Opens `path` for appending. An existing file needs `resume`: its problems count as done, a
  // half-written last line (a run killed while writing) is dropped, and rows whose "settings" differ
  // from `settings` are refused (unless `settings` is null).
  ResultsFile(const std::string& path, bool resume, const nlohmann::json& settings);
  bool done(const std::string& id) const { return done_.count(id) > 0; }
  void append(const nlohmann::json& row);

 private:
  std::string path_;
  std::set<std::string> done_;
  std::ofstream out_;
};

// Every row of a results file, in id order; fails clearly on a missing, empty or damaged file.
std::vector<nlohmann::json> read_results(const std::string& path);
// Rows as JSONL into out, a whole results file at once (regrade and recode replace files this way).
void write_results(TempFile& out, const std::vector<nlohmann::json>& rows);

}  // namespace llmz::eval
