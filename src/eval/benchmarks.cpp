#include "eval/benchmarks.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "eval/answers.h"

namespace llmz::eval {

namespace {

// JSONL split on '\n' only: some records hold U+2028, which other line splitters break on.
std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read the benchmark file (see ../shared/data/MANIFEST.md)");
  std::vector<nlohmann::json> rows;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line, '\n')) {
    n++;
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      fail(ErrorCode::corrupt, path + ":" + std::to_string(n) + ": not JSON (" + e.what() + ")");
    }
  }
  return rows;
}

std::string text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

}  // namespace

std::vector<std::string> benchmark_names() { return {"gsm8k", "math500"}; }

std::string default_benchmarks_dir() {
  const char* env = std::getenv("LLMZ_DATA_DIR");
  if (env && *env) return env;
  return (std::filesystem::path(LLMZ_SOURCE_DIR) / ".." / "shared" / "data" / "benchmarks").lexically_normal().string();
}

std::vector<Problem> load_benchmark(const std::string& name, const std::string& data_dir) {
  std::vector<Problem> out;
  if (name == "gsm8k") {
    size_t i = 0;
    for (const auto& j : read_jsonl(data_dir + "/gsm8k/test.jsonl")) {
      const std::string solution = text(j, "answer");
      out.push_back({"gsm8k-" + std::to_string(i++), text(j, "question"), solution, extract_answer(solution).value_or("")});
    }
  } else if (name == "math500") {
    for (const auto& j : read_jsonl(data_dir + "/math500/math500_test.jsonl"))
      out.push_back({text(j, "unique_id"), text(j, "problem"), text(j, "solution"), text(j, "answer")});
  } else {
    std::string names;
    for (const auto& n : benchmark_names()) names += (names.empty() ? "" : ", ") + n;
    fail(ErrorCode::usage, "unknown benchmark '" + name + "' (known: " + names + ")");
  }
  return out;
}

}  // namespace llmz::eval
