#include "qa/answers.h"

#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <vector>

#include "common/text.h"

namespace llmz::qa {

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

// "\frac{1}{2}" (also \dfrac, \tfrac): numerator and denominator.
const std::regex kFraction(R"(^\\[dt]?frac\{(-?\d+)\}\{(\d+)\}$)");

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
    if (std::regex_match(digits, m, kFraction) && std::stod(m[2]) != 0) return std::stod(m[1]) / std::stod(m[2]);
    return std::nullopt;
  }
  return std::stod(m[1]);
}

bool same_value(double x, double y) { return std::fabs(x - y) <= 1e-6 * std::max(1.0, std::fabs(y)); }

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

std::string mask_answer(const std::string& text, const std::string& answer) {
  static const std::string kMask = "___";
  const std::string wanted = trim(answer);
  if (wanted.empty()) return text;
  std::string out = text;
  // An answer that is more than a number ("\frac{1}{2}", "x = 3") goes as it is written.
  const bool plain_number = std::regex_match(wanted, kNumber);
  if (!plain_number)
    for (size_t at = out.find(wanted); at != std::string::npos; at = out.find(wanted, at + kMask.size()))
      out.replace(at, wanted.size(), kMask);
  // By value only where the answer is one ("2x+1" is not 2, though as_number reads it so).
  const auto value = plain_number || std::regex_match(wanted, kFraction) ? as_number(wanted) : std::nullopt;
  if (!value) return out;
  // Digits with commas only in groups of three ("3,18" is two numbers); "20 - 18" subtracts 18.
  static const std::regex number(R"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)");
  std::string masked;
  size_t copied = 0;
  for (std::sregex_iterator it(out.begin(), out.end(), number), end; it != end; ++it) {
    const size_t at = size_t(it->position());
    size_t sign = at;
    if (sign > 0 && out[sign - 1] == '$') sign--;
    // A "-" right before the number (or its "$") is a sign unless a digit or ")" comes before it, spaces
    // between, or a letter right before it ("x-18").
    bool negative = false;
    if (sign > 0 && out[sign - 1] == '-') {
      size_t before = sign - 1;
      const bool letter = before > 0 && std::isalpha(static_cast<unsigned char>(out[before - 1]));
      while (before > 0 && out[before - 1] == ' ') before--;
      const bool operand =
          before > 0 && (std::isdigit(static_cast<unsigned char>(out[before - 1])) || out[before - 1] == ')');
      negative = !letter && !operand;
    }
    const auto found = as_number(it->str());
    if (!found || !same_value(negative ? -*found : *found, *value)) continue;
    masked += out.substr(copied, at - copied) + kMask;
    copied = at + it->length();
  }
  return masked + out.substr(copied);
}

bool same_answer(const std::string& a, const std::string& b) {
  const auto x = as_number(a), y = as_number(b);
  if (x && y) return same_value(*x, *y);
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

namespace {

// The block without the indentation all its lines share: a fence inside a list item ("   ```python")
// indents the whole program.
std::string dedent(const std::string& block) {
  size_t common = std::string::npos;
  for (size_t at = 0; at < block.size();) {
    const size_t end = std::min(block.find('\n', at), block.size());
    const size_t first = block.find_first_not_of(" \t", at);
    if (first < end) common = std::min(common, first - at);  // lines of only spaces do not count
    at = end + 1;
  }
  if (common == 0 || common == std::string::npos) return block;
  std::string out;
  for (size_t at = 0; at < block.size();) {
    const size_t end = std::min(block.find('\n', at), block.size());
    const std::string line = block.substr(at, end - at);
    const bool blank = line.find_first_not_of(" \t") == std::string::npos;
    out += blank ? "" : line.substr(common);
    if (end < block.size()) out += '\n';
    at = end + 1;
  }
  return out;
}

bool defines_something(const std::string& code) {
  for (const char* word : {"def ", "class "}) {
    for (size_t at = code.find(word); at != std::string::npos; at = code.find(word, at + 1)) {
      const size_t line = code.rfind('\n', at);
      const size_t start = line == std::string::npos ? 0 : line + 1;
      if (code.find_first_not_of(" \t", start) == at) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> code_blocks(const std::string& text) {
  std::vector<size_t> fences;
  for (size_t at = text.find("```"); at != std::string::npos; at = text.find("```", at + 3)) fences.push_back(at);
  // An odd count means the reply was cut off inside its last block.
  std::vector<std::string> blocks;
  for (size_t i = 0; i < fences.size(); i += 2) {
    const size_t close = i + 1 < fences.size() ? fences[i + 1] : text.size();
    const size_t body = text.find('\n', fences[i]);  // skip the language tag
    if (body != std::string::npos && body < close) blocks.push_back(dedent(text.substr(body + 1, close - body - 1)));
  }
  return blocks;
}

std::optional<std::string> extract_code(const std::string& text) {
  const auto blocks = code_blocks(text);
  // The last block that defines something: one that only calls (print(f(3))) shows how to use it.
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it)
    if (defines_something(*it)) return *it;
  if (!blocks.empty()) return blocks.back();
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

}  // namespace llmz::qa
