// The oracle server's request bodies: any bytes give a checked request or a 4xx refusal with a
// message, never an exception.
#include <cstdint>
#include <string>

#include "serve/server_requests.h"

namespace {

template <class T>
void check(const std::variant<T, llmz::qa::RequestError>& parsed) {
  if (const auto* e = std::get_if<llmz::qa::RequestError>(&parsed))
    if (e->status < 400 || e->status >= 500 || e->message.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  check(llmz::qa::parse_session_request(body));
  check(llmz::qa::parse_question_request(body, 2048));
  return 0;
}
