// Final answers in benchmark texts: finding them (numbers, choice letters, code) ("#### 18", "\boxed{18}", "Final
// answer: 18", or the last number), hiding them from a solution, and comparing them (numbers by value, else as text).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace llmz::qa {

// The final answer a text states, or nullopt if it states none.
std::optional<std::string> extract_answer(const std::string& text);

// The text with its final-answer statement removed ("#### 18" lines, "Final answer:" lines) and
// \boxed{...} contents replaced by "?", so that a reader must re-derive the result.
std::string hide_answer(const std::string& text);

// The text with every copy of this answer replaced by "___": numbers equal to it in value ("$18.00",
// "18" in "<<9*2=18>>18" for 18; "70,000" for 70000) and, for an answer that is not a number, its
// literal text. hide_answer() removes where a solution states its result; this removes the result
// wherever else it stands ("Janet makes $18 a day"), so that a reader must work it out.
std::string mask_answer(const std::string& text, const std::string& answer);

// "18", "$18.00", "18 dollars", "1,800" and "18." compare by value; other answers compare after
// dropping spaces, "$" and a trailing period, and \text{}, \left/\right and \! wrappers.
bool same_answer(const std::string& a, const std::string& b);

// The letter (A-E) a reply picks among multiple choices: "Final answer: B", "The answer is (C)",
// a line that is only a letter, or "(D)"; nullopt if it picks none.
std::optional<std::string> extract_choice(const std::string& text);

// The ``` blocks of a reply in order, each dedented (the last may be cut off).
std::vector<std::string> code_blocks(const std::string& text);

// The Python program in a reply: its last ``` block that defines something (else its last block), else everything from
// its first line that starts with "def", "import", "from" or "class"; nullopt if it holds no code.
std::optional<std::string> extract_code(const std::string& text);

}  // namespace llmz::qa
