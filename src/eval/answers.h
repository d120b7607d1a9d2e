// Final answers in benchmark texts: finding them ("#### 18", "\boxed{18}", "Final answer: 18", or the
// last number), hiding them from a solution, and comparing them (numbers by value, else as text).
#pragma once
#include <optional>
#include <string>

namespace llmz::eval {

// The final answer a text states, or nullopt if it states none.
std::optional<std::string> extract_answer(const std::string& text);

// The text with its final-answer statement removed ("#### 18" lines, "Final answer:" lines) and
// \boxed{...} contents replaced by "?", so that a reader must re-derive the result.
std::string hide_answer(const std::string& text);

// "18", "$18.00", "18 dollars", "1,800" and "18." compare by value; other answers compare after
// dropping spaces, "$" and a trailing period, and \text{}, \left/\right and \! wrappers.
bool same_answer(const std::string& a, const std::string& b);

}  // namespace llmz::eval
