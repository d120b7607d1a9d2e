#include "serve/server_requests.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"

namespace llmz::qa {

namespace {

std::optional<nlohmann::json> object_of(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// A field that must be a non-empty string, or (optional) absent.
std::optional<RequestError> read_text(const nlohmann::json& j, const char* name, std::string& out, bool optional) {
  if (!j.contains(name)) {
    if (optional) return std::nullopt;
    return RequestError{400, std::string("\"") + name + "\" must be a non-empty string"};
  }
  if (!j[name].is_string() || (!optional && j[name].get_ref<const std::string&>().empty()))
    return RequestError{400, std::string("\"") + name + "\" must be a " + (optional ? "string" : "non-empty string")};
  out = j[name].get<std::string>();
  return std::nullopt;
}

const RequestError kNotAnObject{400, "the request body must be a JSON object"};

}  // namespace

std::variant<SessionRequest, RequestError> parse_session_request(const std::string& body) {
  const auto j = object_of(body);
  if (!j) return kNotAnObject;
  SessionRequest r;
  std::string mode = "own-reference";
  for (auto e : {read_text(*j, "problem", r.problem, false), read_text(*j, "attempt", r.attempt, false),
                 read_text(*j, "mode", mode, true), read_text(*j, "gold", r.gold, true)})
    if (e) return *e;
  try {
    r.mode = parse_oracle_mode(mode);
  } catch (const Error& e) {
    return RequestError{400, e.what()};
  }
  if (r.mode == OracleMode::self) return RequestError{400, "self mode needs no oracle server"};
  if (r.mode == OracleMode::gold_reference && r.gold.empty())
    return RequestError{400, "gold-reference mode needs \"gold\""};
  return r;
}

std::variant<QuestionRequest, RequestError> parse_question_request(const std::string& body, size_t max_question_bytes) {
  const auto j = object_of(body);
  if (!j) return kNotAnObject;
  QuestionRequest r;
  if (auto e = read_text(*j, "question", r.question, false)) return *e;
  if (r.question.size() > max_question_bytes)
    return RequestError{413, "question too long (at most " + std::to_string(max_question_bytes) + " bytes)"};
  return r;
}

}  // namespace llmz::qa
