// Oracles behind HTTP: any OpenAI-compatible /chat/completions endpoint (llama-server, vLLM, Ollama)
// as a chat backend, and an `llmz serve` oracle server (docs/QA.md) as a whole oracle.
#pragma once
#include <memory>

#include "qa/http_client.h"
#include "qa/oracle.h"

namespace llmz::qa {

// model: the name the endpoint expects (may be empty for single-model servers such as llama-server).
std::unique_ptr<ChatBackend> make_openai_backend(const Endpoint& endpoint, std::string model);

// Talks to `llmz serve`: a session per problem, one request per question.
std::unique_ptr<Oracle> make_remote_oracle(const Endpoint& endpoint, OracleMode mode);

}  // namespace llmz::qa
