#include "qa/prompts.h"

#include <xxhash.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "common/error.h"
#include "qa/default_prompts.h"  // generated from prompts/qa-v1.json: kDefaultPromptsJson

namespace llmz::qa {

namespace {

struct Field {
  const char* name;
  std::string Prompts::*member;
  std::set<std::string> placeholders;
};

const Field kFields[] = {
    {"attempt", &Prompts::attempt, {"problem"}},
    {"questions_batch", &Prompts::questions_batch, {"problem", "attempt", "n"}},
    {"question_next", &Prompts::question_next, {"problem", "attempt", "transcript"}},
    {"answer", &Prompts::answer, {"problem", "attempt", "transcript", "question"}},
    {"oracle_reference", &Prompts::oracle_reference, {"problem"}},
    {"oracle_answer", &Prompts::oracle_answer, {"problem", "reference", "attempt", "question"}},
    {"revision", &Prompts::revision, {"problem", "attempt", "transcript"}},
};

}  // namespace

Prompts parse_prompts(const std::string& json_text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception& e) {
    fail(ErrorCode::usage, origin + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("version") || !j["version"].is_string())
    fail(ErrorCode::usage, origin + ": a prompt file is a JSON object with a \"version\" string");
  Prompts p;
  p.version = j["version"];
  static const std::regex placeholder("\\{([a-z_]+)\\}");
  for (const auto& f : kFields) {
    if (!j.contains(f.name) || !j[f.name].is_string())
      fail(ErrorCode::usage, origin + ": template \"" + f.name + "\" is missing");
    p.*f.member = j[f.name];
    const std::string& t = p.*f.member;
    for (std::sregex_iterator it(t.begin(), t.end(), placeholder), end; it != end; ++it)
      if (!f.placeholders.count((*it)[1]))
        fail(ErrorCode::usage, origin + ": template \"" + f.name + "\" uses unknown placeholder {" +
                                   std::string((*it)[1]) + "}");
  }
  p.hash = XXH3_64bits(json_text.data(), json_text.size());
  return p;
}

const Prompts& default_prompts() {
  static const Prompts p = parse_prompts(kDefaultPromptsJson, "built-in prompts");
  return p;
}

Prompts load_prompts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read the prompt file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_prompts(text.str(), path);
}

std::string fill(const std::string& tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find('{', i);
    const size_t close = open == std::string::npos ? open : tmpl.find('}', open);
    if (close == std::string::npos) break;
    auto it = values.find(tmpl.substr(open + 1, close - open - 1));
    out.append(tmpl, i, open - i);
    if (it != values.end()) {
      out += it->second;
      i = close + 1;
    } else {
      out += '{';
      i = open + 1;
    }
  }
  out.append(tmpl, i, std::string::npos);
  return out;
}

}  // namespace llmz::qa
