// JSON over HTTP for the oracle clients: one POST with timeouts, retries with exponential back-off
// on connection failures, 429 and 5xx, and errors that say what went wrong.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "llmz/qa.h"

namespace llmz::qa {

class JsonClient {
 public:
  explicit JsonClient(Endpoint endpoint);
  // method is "POST" or "DELETE"; returns the parsed reply of a 2xx answer, fails otherwise.
  nlohmann::json request(const std::string& method, const std::string& path, const nlohmann::json& body = {}) const;
  const std::string& url() const { return endpoint_.url; }

 private:
  Endpoint endpoint_;
  std::string host_, prefix_;
};

}  // namespace llmz::qa
