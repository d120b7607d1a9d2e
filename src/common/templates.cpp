#include "common/templates.h"

#include <xxhash.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "common/error.h"
#include "common/file.h"

namespace llmz {

TemplateSet parse_templates(const std::string& json_text, const std::string& origin,
                            std::span<const TemplateField> fields) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception& e) {
    fail(ErrorCode::usage, origin + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("version") || !j["version"].is_string())
    fail(ErrorCode::usage, origin + ": a prompt file is a JSON object with a \"version\" string");
  TemplateSet set;
  set.version = j["version"];
  static const std::regex placeholder("\\{([a-z_]+)\\}");
  for (const auto& f : fields) {
    if (!f.required && !j.contains(f.name)) continue;
    if (!j.contains(f.name) || !j[f.name].is_string())
      fail(ErrorCode::usage, origin + ": template \"" + f.name + "\" is missing");
    const std::string t = j[f.name];
    for (std::sregex_iterator it(t.begin(), t.end(), placeholder), end; it != end; ++it)
      if (!f.placeholders.count((*it)[1]))
        fail(ErrorCode::usage,
             origin + ": template \"" + f.name + "\" uses unknown placeholder {" + std::string((*it)[1]) + "}");
    set.text[f.name] = t;
  }
  set.hash = XXH3_64bits(json_text.data(), json_text.size());
  return set;
}

TemplateSet load_templates(const std::string& path, std::span<const TemplateField> fields) {
  return parse_templates(read_file(path, "prompt file"), path, fields);
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

}  // namespace llmz
