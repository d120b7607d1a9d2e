#include "eval/choice_letter_oracle.h"

#include <regex>
#include <set>

namespace llmz::eval {

std::optional<char> named_choice(const std::string& question) {
  // "choice C", "Choice (C)"; "choices B and D" or "choice B or D" name more than one.
  static const std::regex choice(R"(\b[Cc]hoices? \(?([A-Z])\b\)?((?:\s*(?:,|or|and)\s*\(?[A-Z]\b)*))");
  std::set<char> named;
  for (std::sregex_iterator it(question.begin(), question.end(), choice), end; it != end; ++it) {
    named.insert((*it)[1].str()[0]);
    if ((*it)[2].length() > 0) return std::nullopt;
  }
  if (named.size() != 1) return std::nullopt;
  return *named.begin();
}

bool ChoiceLetterOracle::answer(const qa::Question& q) {
  const auto named = named_choice(q.text);
  const bool words = words_->answer(q);
  if (!named) return words;
  const bool yes = *named == letter_;
  counts_.answers++;
  counts_.agreed += words == yes;
  counts_.yes += yes;
  counts_.yes_agreed += yes && words;
  return yes;
}

}  // namespace llmz::eval
