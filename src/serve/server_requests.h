// The oracle server's request bodies, checked before anything runs: what the client asked for, or the
// status and message to refuse it with. Kept apart from the HTTP plumbing so that they can be tested
// and fuzzed without a model.
#pragma once
#include <cstddef>
#include <string>
#include <variant>

#include "qa/oracle.h"

namespace llmz::qa {

struct RequestError {
  int status = 400;
  std::string message;
};

struct SessionRequest {
  std::string problem, attempt, gold;
  OracleMode mode = OracleMode::own_reference;
};

struct QuestionRequest {
  std::string question;
};

// POST /v1/sessions: {"problem", "attempt", optional "mode" and "gold"} (docs/QA.md).
std::variant<SessionRequest, RequestError> parse_session_request(const std::string& body);
// POST /v1/sessions/{id}/questions: {"question"}, at most max_question_bytes.
std::variant<QuestionRequest, RequestError> parse_question_request(const std::string& body, size_t max_question_bytes);

}  // namespace llmz::qa
