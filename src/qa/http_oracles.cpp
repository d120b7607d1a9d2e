#include "qa/http_oracles.h"

#include "common/error.h"

namespace llmz::qa {

namespace {

class OpenAiBackend : public ChatBackend {
 public:
  OpenAiBackend(const Endpoint& endpoint, std::string model) : client_(endpoint), model_(std::move(model)) {}

  std::string reply(const Conversation& conversation, uint32_t max_tokens) override {
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& m : conversation) messages.push_back({{"role", m.role}, {"content", m.content}});
    nlohmann::json body = {{"messages", messages}, {"max_tokens", max_tokens}, {"temperature", 0}};
    if (!model_.empty()) body["model"] = model_;
    const auto answer = client_.request("POST", "/chat/completions", body);
    try {
      return answer.at("choices").at(0).at("message").at("content").get<std::string>();
    } catch (const std::exception&) {
      fail(ErrorCode::io,
           client_.url() + ": the reply is not an OpenAI chat completion: " + answer.dump().substr(0, 300));
    }
  }
  std::optional<bool> yes_no(const Conversation& conversation) override { return parse_yes_no(reply(conversation, 4)); }
  std::string name() const override {
    return (model_.empty() ? std::string("model") : model_) + " at " + client_.url();
  }

 private:
  JsonClient client_;
  std::string model_;
};

class RemoteOracle : public Oracle {
 public:
  RemoteOracle(const Endpoint& endpoint, OracleMode mode) : client_(endpoint), mode_(mode) {}
  ~RemoteOracle() override { close(); }

  OracleMode mode() const override { return mode_; }

  void begin(const Task& task) override {
    close();
    nlohmann::json body = {{"problem", task.problem}, {"attempt", task.attempt}, {"mode", to_string(mode_)}};
    if (mode_ == OracleMode::gold_reference) body["gold"] = task.gold;
    const auto reply = client_.request("POST", "/sessions", body);
    if (!reply.contains("session") || !reply["session"].is_string())
      fail(ErrorCode::io, client_.url() + ": no session id in the reply");
    session_ = reply["session"];
    model_ = reply.value("model", "");
  }

  bool answer(const Question& q) override {
    if (session_.empty()) fail(ErrorCode::usage, "no open session");
    const auto reply = client_.request("POST", "/sessions/" + session_ + "/questions", {{"question", q.text}});
    if (!reply.contains("bit") || !reply["bit"].is_number_integer())
      fail(ErrorCode::io, client_.url() + ": no answer bit in the reply");
    return reply["bit"].get<int>() == 1;
  }

  std::string name() const override {
    return (model_.empty() ? std::string("oracle") : model_) + " at " + client_.url();
  }

 private:
  void close() {
    if (session_.empty()) return;
    try {
      client_.request("DELETE", "/sessions/" + session_);
    } catch (const Error&) {
      // the server expires idle sessions anyway
    }
    session_.clear();
  }

  JsonClient client_;
  OracleMode mode_;
  std::string session_, model_;
};

}  // namespace

std::unique_ptr<ChatBackend> make_openai_backend(const Endpoint& endpoint, std::string model) {
  return std::make_unique<OpenAiBackend>(endpoint, std::move(model));
}

std::unique_ptr<Oracle> make_openai_oracle(const Endpoint& endpoint, const std::string& model, const Prompts& prompts,
                                           const OracleOptions& options) {
  return make_reference_oracle(make_openai_backend(endpoint, model), prompts, options.mode,
                               options.max_reference_tokens, options.unclear);
}

std::unique_ptr<Oracle> make_remote_oracle(const Endpoint& endpoint, OracleMode mode) {
  if (mode == OracleMode::self) fail(ErrorCode::usage, "self mode needs no oracle server");
  return std::make_unique<RemoteOracle>(endpoint, mode);
}

}  // namespace llmz::qa
