#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "common/error.h"
#include "common/text.h"
#include "llmz/eval.h"
#include "qa/answers.h"

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

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read the benchmark file (see ../shared/data/MANIFEST.md)");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    fail(ErrorCode::corrupt, path + ": not JSON (" + e.what() + ")");
  }
}

// The LLM-Adapters copies of OpenBookQA, PIQA and BoolQ hold one instruction each: "... question:
// <question>\n\nAnswer1: <option> Answer2: <option> ...\n\nAnswer format: ...". Returns the question
// and the options (none for BoolQ), or nothing if the record is not in that form.
std::optional<std::pair<std::string, std::vector<std::string>>> split_instruction(const std::string& s,
                                                                                  const std::string& option) {
  const size_t q = s.find(": "), end = s.rfind("\n\nAnswer format:");
  if (q == std::string::npos || end == std::string::npos || end < q) return std::nullopt;
  const std::string body = s.substr(q + 2, end - q - 2);
  std::vector<std::pair<size_t, size_t>> marks;  // where each "Answer<k>: " starts, where its text starts
  for (int k = 1;; k++) {
    const std::string mark = option + std::to_string(k) + ": ";
    const size_t at = body.find(mark, marks.empty() ? 0 : marks.back().second);
    if (at == std::string::npos) break;
    marks.emplace_back(at, at + mark.size());
  }
  std::vector<std::string> options;
  for (size_t k = 0; k < marks.size(); k++) {
    const size_t end = k + 1 < marks.size() ? marks[k + 1].first : body.size();
    options.push_back(trim(body.substr(marks[k].second, end - marks[k].second)));
  }
  return std::pair{trim(body.substr(0, marks.empty() ? body.size() : marks[0].first)), options};
}

std::string text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

// Text of a number-valued field without a spurious ".0" (SVAMP stores 145.0 for 145).
std::string number_text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return text(j, key);
  const double v = j[key].get<double>();
  if (v == double(int64_t(v))) return std::to_string(int64_t(v));
  return j[key].dump();
}

// Appends "A. ..." lines for the choices, shuffled with the seed; returns the gold letter.
std::string add_choices(Problem& p, std::vector<std::string> choices, size_t gold, uint64_t seed, size_t index) {
  std::vector<size_t> order(choices.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  if (seed != 0) {
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + index);  // mt19937_64's output is fixed by the standard
    for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[rng() % i]);
  }
  std::string letter;
  p.stem = p.question;
  p.question += "\n";
  for (size_t k = 0; k < order.size(); k++) {
    const char l = char('A' + k);
    p.question += std::string("\n") + l + ". " + choices[order[k]];
    p.choices.push_back(choices[order[k]]);
    if (order[k] == gold) letter = std::string(1, l);
  }
  p.question += "\n\nAnswer with the letter of the correct choice.";
  return letter;
}

const char* kCodeRequest = "\n\nWrite the Python function in a ```python code block.";

std::vector<Problem> load_named(const std::string& name, const std::string& dir, uint64_t seed) {
  std::vector<Problem> out;
  auto add = [&](std::string id, std::string question, std::string solution, std::string answer) {
    Problem p;
    p.id = std::move(id);
    p.question = std::move(question);
    p.solution = std::move(solution);
    p.answer = std::move(answer);
    out.push_back(std::move(p));
    return &out.back();
  };
  if (name == "gsm8k") {
    for (const auto& j : read_jsonl(dir + "/gsm8k/test.jsonl")) {
      const std::string solution = text(j, "answer");
      add("gsm8k-" + std::to_string(out.size()), text(j, "question"), solution,
          qa::extract_answer(solution).value_or(""));
    }
  } else if (name == "math500") {
    for (const auto& j : read_jsonl(dir + "/math500/math500_test.jsonl"))
      add(text(j, "unique_id"), text(j, "problem"), text(j, "solution"), text(j, "answer"));
  } else if (name == "aime24" || name == "aime25" || name == "amc23") {
    for (const auto& j : read_jsonl(dir + "/aime/" + name + ".jsonl"))
      add(name + "-" + std::to_string(out.size()), text(j, "problem"), text(j, "solution"), number_text(j, "answer"));
  } else if (name == "svamp") {
    for (const auto& j : read_jsonl(dir + "/easy/svamp.jsonl"))
      add(text(j, "ID"), text(j, "Body") + " " + text(j, "Question"), "", number_text(j, "Answer"));
  } else if (name == "asdiv") {
    for (const auto& j : read_jsonl(dir + "/easy/asdiv.jsonl"))
      add("asdiv-" + number_text(j, "idx"), text(j, "body") + " " + text(j, "question"), "", text(j, "answer"));
  } else if (name == "mawps") {
    for (const auto& j : read_jsonl(dir + "/easy/mawps.jsonl"))
      add("mawps-" + number_text(j, "idx"), text(j, "input"), "", number_text(j, "target"));
  } else if (name == "arc-easy" || name == "arc-challenge") {
    const std::string file = name == "arc-easy" ? "arc_easy_test" : "arc_challenge_test";
    for (const auto& j : read_jsonl(dir + "/easy/" + file + ".jsonl")) {
      const auto& labels = j.at("choices").at("label");
      const auto texts = j.at("choices").at("text").get<std::vector<std::string>>();
      size_t gold = texts.size();
      for (size_t k = 0; k < labels.size(); k++)
        if (labels[k].get<std::string>() == text(j, "answerKey")) gold = k;
      if (gold == texts.size())
        fail(ErrorCode::corrupt, file + ": " + text(j, "id") + " has no choice labelled with its answer");
      Problem* p = add(text(j, "id"), text(j, "question"), "", "");
      p->kind = AnswerKind::choice;
      p->answer = add_choices(*p, texts, gold, seed, out.size());
    }
  } else if (name == "openbookqa" || name == "piqa" || name == "boolq") {
    // {instruction, answer}: "answer2" / "solution1" / "true"
    const std::string file = name == "openbookqa" ? "openbookqa_test.json"
                             : name == "piqa"     ? "piqa_dev.json"
                                                  : "boolq_closedbook_test.json";
    const std::string option = name == "openbookqa" ? "Answer" : "Solution";
    for (const auto& j : read_json(dir + "/easy/" + file)) {
      const std::string id = name + "-" + std::to_string(out.size());
      auto split = split_instruction(text(j, "instruction"), option);
      if (!split)
        fail(ErrorCode::corrupt, file + ": " + id + " is not in the form \"...: question\\n\\nAnswer format: ...\"");
      auto [question, options] = std::move(*split);
      const std::string answer = text(j, "answer");
      size_t gold = 0;
      if (name == "boolq") {
        options = {"true", "false"};
        gold = answer == "true" ? 0 : answer == "false" ? 1 : 2;
      } else {
        const std::string prefix = name == "openbookqa" ? "answer" : "solution";
        gold = answer.rfind(prefix, 0) == 0 ? size_t(std::atoi(answer.c_str() + prefix.size())) - 1 : options.size();
      }
      if (gold >= options.size())
        fail(ErrorCode::corrupt, file + ": " + id + " has no option for its answer '" + answer + "'");
      Problem* p = add(id, question, "", "");
      p->kind = AnswerKind::choice;
      p->answer = add_choices(*p, options, gold, seed, out.size());
    }
  } else if (name == "mbpp" || name == "mbpp-validation") {
    // The test split is tasks 11-510, the validation split 511-600 (for tuning: never reported on).
    const auto [first, last] = name == "mbpp" ? std::pair{11, 510} : std::pair{511, 600};
    for (const auto& j : read_jsonl(dir + "/mbpp/mbpp.jsonl")) {
      const int id = j.at("task_id").get<int>();
      if (id < first || id > last) continue;
      const auto asserts = j.at("test_list").get<std::vector<std::string>>();
      Problem* p = add("mbpp-" + std::to_string(id),
                       text(j, "text") + "\nYour code should pass this test:\n" + asserts.at(0) + kCodeRequest,
                       text(j, "code"), text(j, "code"));
      p->kind = AnswerKind::code;
      p->tests = text(j, "test_setup_code") + "\n";
      p->shown_tests = p->tests + asserts.at(0) + "\n";
      for (const auto& a : asserts) p->tests += a + "\n";
    }
  } else if (name == "humaneval") {
    for (const auto& j : read_jsonl(dir + "/humaneval/HumanEval.jsonl")) {
      const std::string prompt = text(j, "prompt");
      Problem* p =
          add(text(j, "task_id"), "Complete this Python function:\n\n```python\n" + prompt + "```" + kCodeRequest,
              prompt + text(j, "canonical_solution"), prompt + text(j, "canonical_solution"));
      p->kind = AnswerKind::code;
      p->code_prefix = prompt + "    pass\n";  // imports and helpers the reply may rely on
      p->tests = text(j, "test") + "\ncheck(" + text(j, "entry_point") + ")\n";
    }
  } else {
    std::string names;
    for (const auto& n : benchmark_names()) names += (names.empty() ? "" : ", ") + n;
    fail(ErrorCode::usage, "unknown benchmark '" + name + "' (known: " + names + ")");
  }
  return out;
}

}  // namespace

const char* to_string(AnswerKind k) {
  switch (k) {
    case AnswerKind::number:
      return "number";
    case AnswerKind::choice:
      return "choice";
    case AnswerKind::code:
      return "code";
  }
  return "?";
}

std::vector<std::string> benchmark_names() {
  return {"gsm8k",    "math500",       "aime24",     "aime25", "amc23", "svamp", "asdiv",           "mawps",
          "arc-easy", "arc-challenge", "openbookqa", "piqa",   "boolq", "mbpp",  "mbpp-validation", "humaneval"};
}

std::string default_benchmarks_dir() {
  const char* env = std::getenv("LLMZ_DATA_DIR");
  if (env && *env) return env;
  // The workplace keeps its data in shared/data beside the checkout: look beside each folder above
  // the current one, then above the running program.
  std::error_code ec;
  const std::filesystem::path starts[] = {std::filesystem::current_path(ec),
                                          std::filesystem::read_symlink("/proc/self/exe", ec).parent_path()};
  for (const auto& start : starts) {
    for (std::filesystem::path dir = start; !dir.empty(); dir = dir.parent_path()) {
      const std::filesystem::path candidate = dir / "shared" / "data" / "benchmarks";
      if (std::filesystem::is_directory(candidate, ec)) return candidate.string();
      if (dir == dir.root_path()) break;
    }
  }
  return "../shared/data/benchmarks";  // not found: the error names the usual place
}

std::vector<Problem> load_benchmark(const std::string& name, const std::string& data_dir, uint64_t seed) {
  try {
    return load_named(name, data_dir, seed);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorCode::corrupt, name + ": a record lacks a field the loader needs (" + e.what() + ")");
  }
}

}  // namespace llmz::eval
