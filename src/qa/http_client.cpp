#include "qa/http_client.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "common/error.h"

namespace llmz::qa {

JsonClient::JsonClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {
  const std::string& url = endpoint_.url;
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") fail(ErrorCode::usage, "'" + url + "' is not an http:// or https:// URL");
  const size_t slash = url.find('/', scheme_end + 3);
  host_ = url.substr(0, slash);
  prefix_ = slash == std::string::npos ? "" : url.substr(slash);
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  if (host_.size() <= scheme_end + 3) fail(ErrorCode::usage, "'" + url + "' has no host");
}

nlohmann::json JsonClient::request(const std::string& method, const std::string& path,
                                   const nlohmann::json& body) const {
  httplib::Client client(host_);
  const auto timeout = std::chrono::duration<double>(endpoint_.timeout_seconds);
  client.set_connection_timeout(
      std::chrono::duration_cast<std::chrono::microseconds>(std::min(timeout, std::chrono::duration<double>(10))));
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  client.set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  if (!endpoint_.api_key.empty()) client.set_bearer_token_auth(endpoint_.api_key);
  const std::string where = host_ + prefix_ + path;
  std::string last_error;
  for (int attempt = 0; attempt <= endpoint_.retries; attempt++) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250 << std::min(attempt - 1, 6)));
    auto res = method == "DELETE" ? client.Delete(prefix_ + path)
                                  : client.Post(prefix_ + path, body.dump(), "application/json");
    if (!res) {
      last_error = "cannot reach " + where + ": " + httplib::to_string(res.error());
      continue;
    }
    if (res->status == 429 || res->status >= 500) {
      last_error = where + " answered HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300);
      continue;
    }
    if (res->status < 200 || res->status >= 300)
      fail(ErrorCode::usage, where + " answered HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300));
    if (res->body.empty()) return nlohmann::json::object();
    try {
      return nlohmann::json::parse(res->body);
    } catch (const std::exception&) {
      fail(ErrorCode::io, where + " did not answer JSON: " + res->body.substr(0, 200));
    }
  }
  fail(ErrorCode::io, last_error + " (after " + std::to_string(endpoint_.retries + 1) + " tries)");
}

}  // namespace llmz::qa
