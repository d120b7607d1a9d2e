// Prompt template files: a JSON object with a "version" and one string per template, each using only
// its own {placeholders}. A file's hash goes into the headers of the files its prompts produced.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>

namespace llmz {

struct TemplateField {
  const char* name;
  std::set<std::string> placeholders;
  bool required = true;  // an optional template may be absent (its text is then empty)
};

struct TemplateSet {
  std::string version;
  std::map<std::string, std::string> text;  // template name -> template
  uint64_t hash = 0;                        // XXH3-64 of the file's bytes
};

// Fails with a usage error naming `origin` if a required template is missing or uses an unknown placeholder.
TemplateSet parse_templates(const std::string& json_text, const std::string& origin,
                            std::span<const TemplateField> fields);
TemplateSet load_templates(const std::string& path, std::span<const TemplateField> fields);

// Replaces each {name} by its value; other braces stay as they are.
std::string fill(const std::string& tmpl, const std::map<std::string, std::string>& values);

}  // namespace llmz
