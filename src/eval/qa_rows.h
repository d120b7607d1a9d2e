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

// Candidates mode with the built-in program prompts: each question shows a program.
bool asks_about_programs(const nlohmann::json& settings);
// Every turn of a configuration's record gets "program_passes": whether the program its question
// shows passes the problem's tests (what the oracle's yes/no is measured against).
void grade_asked_programs(nlohmann::json& config, const Problem& problem);

}  // namespace llmz::eval
