// What `llmz eval qa`, its summary and `eval regrade` read alike from a row's candidate questions:
// the answer a question names, and whether the program a question shows passes the tests.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "llmz/eval.h"

namespace llmz::eval {

// Candidates mode with built-in final-answer or choice prompts: the text before and after {answer}
// in the candidate question ("Is the correct final answer to the problem 18?" names 18, "Is choice B
// correct?" B); nullopt for other modes, programs and unknown templates.
std::optional<std::pair<std::string, std::string>> candidate_question_parts(const nlohmann::json& settings);
// The answer a candidate question names, or nullopt if q is not one.
std::optional<std::string> named_answer(const std::string& q, const std::pair<std::string, std::string>& parts);

// Whether stored rows of these settings ask about programs: candidates mode with built-in program
// prompts (all a row can tell; a run knows its own prompts).
bool asks_about_programs(const nlohmann::json& settings);
// On a code problem, every turn of the row's configurations gets "program_passes": whether the
// program its question shows passes the tests (what the yes/no answers are measured against). Each
// program runs once per row. Returns how many turns were graded and how many verdicts changed.
RegradeReport grade_asked_programs(nlohmann::json& row, const Problem& problem);

}  // namespace llmz::eval
