// `llmz serve`: an oracle server for the live QA protocol. A client opens a session with a problem and
// its SLM's attempt, asks yes/no questions and gets one bit each (the API is in docs/QA.md). The model
// is shared by all sessions and evaluates one request at a time; sessions expire when idle.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "model/loaded_model.h"
#include "qa/prompts.h"

namespace llmz::qa {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                   // 0 = any free port
  std::string api_key;               // required as a bearer token when not empty
  uint32_t max_sessions = 64;
  double session_ttl_seconds = 600;  // idle sessions are closed after this
  size_t max_request_bytes = 64 * 1024;
  uint32_t max_reference_tokens = 512;
  uint32_t context_tokens = 4096;
};

class OracleServer {
 public:
  OracleServer(const detail::LoadedModel& model, const Prompts& prompts, ServerOptions options);
  ~OracleServer();
  // Binds the port (fails clearly if it is taken); returns the port bound.
  int bind();
  // Serves until stop() is called.
  void serve();
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace llmz::qa
