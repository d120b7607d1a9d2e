#include "eval/answers.h"

#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <vector>

#include "common/text.h"

namespace llmz::eval {

namespace {

// The content of the last \boxed{...} (braces balanced), if any; `start` receives where it begins.
std::optional<std::string> last_boxed(const std::string& text, size_t* start = nullptr) {
  const size_t at = text.rfind("\\boxed{");
  if (at == std::string::npos) return std::nullopt;
  size_t i = at + 7, depth = 1;
  for (; i < text.size() && depth > 0; i++) depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
  if (depth != 0) return std::nullopt;
  if (start) *start = at;
  return text.substr(at + 7, i - at - 8);
}

const std::regex kNumber(R"(-?\$?\d[\d,]*(?:\.\d+)?|-?\.\d+)");

std::optional<std::string> last_number(const std::string& text) {
  std::optional<std::string> last;
  for (std::sregex_iterator it(text.begin(), text.end(), kNumber), end; it != end; ++it) last = it->str();
  return last;
}

std::optional<double> as_number(std::string s) {
  s = trim(s);
  std::string digits;
  for (char c : s)
    if (c != ',' && c != '$' && c != ' ') digits += c;
  while (!digits.empty() && (digits.back() == '.' || digits.back() == '%')) digits.pop_back();
  // Allow a unit after the number ("18 dollars", "9 (apples)"): take the leading number only.
  std::smatch m;
  static const std::regex leading(R"(^(-?\d+(?:\.\d+)?|-?\.\d+)(?:[a-zA-Z (].*)?$)");
  if (!std::regex_match(digits, m, leading)) {
    static const std::regex frac(R"(^\\[dt]?frac\{(-?\d+)\}\{(\d+)\}$)");
    if (std::regex_match(digits, m, frac) && std::stod(m[2]) != 0) return std::stod(m[1]) / std::stod(m[2]);
    return std::nullopt;
  }
  return std::stod(m[1]);
}

std::string canonical_text(std::string s) {
  for (const char* wrapper : {"\\text{", "\\mathrm{", "\\textbf{"}) {
    size_t at;
    while ((at = s.find(wrapper)) != std::string::npos) {
      const size_t close = s.find('}', at);
      if (close == std::string::npos) break;
      s.erase(close, 1);
      s.erase(at, std::string(wrapper).size());
    }
  }
  for (const char* drop : {"\\left", "\\right", "\\!", "\\,", "$", " "}) {
    size_t at;
    while ((at = s.find(drop)) != std::string::npos) s.erase(at, std::string(drop).size());
  }
  while (!s.empty() && s.back() == '.') s.pop_back();
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::string> extract_answer(const std::string& text) {
  const size_t hashes = text.rfind("####");
  if (hashes != std::string::npos) {
    const std::string rest = trim(text.substr(hashes + 4, text.find('\n', hashes) - hashes - 4));
    if (!rest.empty()) return rest;
  }
  if (auto boxed = last_boxed(text)) return trim(*boxed);
  // On one line: "the final answer is:\nFinal answer: 20" must find the second statement, not swallow it.
  static const std::regex final_line(R"((?:final answer|the answer is)[ \t]*(?:is)?[ \t]*[:=]?[ \t]*([^\n]+))",
                                     std::regex::icase);
  std::optional<std::string> stated;
  for (std::sregex_iterator it(text.begin(), text.end(), final_line), end; it != end; ++it) stated = trim((*it)[1]);
  if (stated && !stated->empty()) {
    std::string s = *stated;
    while (!s.empty() && (s.back() == '.' || s.back() == '*')) s.pop_back();
    while (!s.empty() && s.front() == '*') s.erase(0, 1);
    if (auto n = last_number(s); n && as_number(s)) return *n;
    return trim(s);
  }
  return last_number(text);
}

std::string hide_answer(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    std::string lower;
    for (char c : line) lower += char(std::tolower(static_cast<unsigned char>(c)));
    const std::string t = trim(lower);
    if (t.rfind("####", 0) != 0 && t.rfind("final answer", 0) != 0 && t.rfind("the answer is", 0) != 0)
      out += line + (nl < text.size() ? "\n" : "");
    pos = nl + 1;
  }
  size_t start;
  while (auto boxed = last_boxed(out, &start)) out.replace(start, boxed->size() + 8, "?");
  return trim(out);
}

bool same_answer(const std::string& a, const std::string& b) {
  const auto x = as_number(a), y = as_number(b);
  if (x && y) return std::fabs(*x - *y) <= 1e-6 * std::max(1.0, std::fabs(*y));
  return !canonical_text(a).empty() && canonical_text(a) == canonical_text(b);
}

std::optional<std::string> extract_choice(const std::string& text) {
  static const std::regex stated(R"((?:[Ff]inal [Aa]nswer|[Aa]nswer is|[Aa]nswer)\s*[:=]?\s*\**\(?([A-E])\b)");
  static const std::regex alone(R"((?:^|\n)\s*\**\(?([A-E])\)?[.):]?\**\s*(?:\n|$))");
  static const std::regex bracketed(R"(\(([A-E])\))");
  // A reply that repeats one choice line ("B. lead apron") picks it; one that lists them all picks none.
  static const std::regex choice_line(R"((?:^|\n)\s*\**([A-E])[.)] (?![A-E](?:[.)]|\s*$)))");
  // A line of bare letters ("A. B. C. D.") is a model reciting the options: after it, a lone letter
  // is more of the same (a reply cut off by a token limit), not a choice.
  static const std::regex listing(R"((?:^|\n)\s*(?:\(?[A-E][.)]?\s+)+\(?[A-E][.)]?\s*(?:\n|$))");
  const bool recites = std::regex_search(text, listing);
  for (const auto* re : {&stated, &alone, &bracketed, &choice_line}) {
    if (recites && re != &stated) break;
    std::set<std::string> seen;
    std::optional<std::string> last;
    for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it)
      seen.insert(*(last = (*it)[1].str()));
    if (last && (re != &choice_line || seen.size() == 1)) return last;
  }
  return std::nullopt;
}

std::optional<std::string> extract_code(const std::string& text) {
  std::vector<size_t> fences;
  for (size_t at = text.find("```"); at != std::string::npos; at = text.find("```", at + 3)) fences.push_back(at);
  if (!fences.empty()) {
    // An odd count means the reply was cut off inside its last block: take what follows that fence.
    const size_t open = fences.size() % 2 ? fences.back() : fences[fences.size() - 2];
    const size_t close = fences.size() % 2 ? text.size() : fences.back();
    const size_t body = text.find('\n', open);  // skip the language tag
    if (body != std::string::npos && body < close) return text.substr(body + 1, close - body - 1);
  }
  size_t pos = 0;
  while (pos < text.size()) {
    for (const char* start : {"def ", "import ", "from ", "class "})
      if (text.compare(pos, std::string(start).size(), start) == 0) return text.substr(pos);
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return std::nullopt;
}

}  // namespace llmz::eval
