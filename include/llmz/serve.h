// `llmz serve`: an oracle server for the live QA protocol. A client opens a session with a problem and
// its SLM's attempt, asks yes/no questions and gets one bit each (the API is in docs/QA.md). The model
// is shared by all sessions and evaluates one request at a time; sessions expire when idle.
// Hostile clients: the key is checked before a body is read, bodies and questions have size limits, a
// client that stays silent for read_timeout_seconds mid-request is dropped, at most max_waiting
// requests wait for the model (more get 503), and /v1/health never waits for it. Each connection
// holds a worker (max_sessions + extra_workers of them): a client that trickles a byte faster than the
// read timeout holds one until its 8 KB header limit; on an open network, put a proxy with per-client
// limits in front (docs/QA.md).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "llmz/llmz.h"
#include "llmz/qa.h"

namespace llmz::qa {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;      // 0 = any free port
  std::string api_key;  // required as a bearer token when not empty
  uint32_t max_sessions = 64;
  double session_ttl_seconds = 600;  // idle sessions are closed after this
  size_t max_request_bytes = 64 * 1024;
  size_t max_question_bytes = 2048;
  uint32_t max_waiting = 16;     // requests waiting for the model; more get 503 at once
  uint32_t extra_workers = 32;   // connections served beside max_sessions (health, slow clients)
  int read_timeout_seconds = 2;  // a client silent this long mid-request is dropped
  uint32_t max_reference_tokens = 512;
  uint32_t context_tokens = 4096;
};

class OracleServer {
 public:
  OracleServer(const Model& model, const Prompts& prompts, ServerOptions options);
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
