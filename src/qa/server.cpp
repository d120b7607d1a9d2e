#include "qa/server.h"

#include <httplib.h>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "common/error.h"
#include "qa/local_backend.h"
#include "qa/oracle.h"

namespace llmz::qa {

namespace {

using Clock = std::chrono::steady_clock;

// One model for every session: requests take turns.
class SharedBackend : public ChatBackend {
 public:
  SharedBackend(ChatBackend& backend, std::mutex& mutex) : backend_(backend), mutex_(mutex) {}
  std::string reply(const std::string& user, uint32_t max_tokens) override {
    std::lock_guard lock(mutex_);
    return backend_.reply(user, max_tokens);
  }
  std::optional<bool> yes_no(const std::string& user) override {
    std::lock_guard lock(mutex_);
    return backend_.yes_no(user);
  }
  std::string name() const override { return backend_.name(); }

 private:
  ChatBackend& backend_;
  std::mutex& mutex_;
};

struct Session {
  std::shared_ptr<Oracle> oracle;  // shared: a question being answered outlives the session's closing
  std::shared_ptr<std::mutex> busy = std::make_shared<std::mutex>();  // one question at a time per session
  Clock::time_point last_used;
};

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, {{"error", message}});
}

}  // namespace

struct OracleServer::State {
  const detail::LoadedModel& model;
  Prompts prompts;
  ServerOptions options;
  std::unique_ptr<ChatBackend> backend;
  std::mutex model_mutex;
  std::mutex sessions_mutex;
  std::map<std::string, Session> sessions;
  std::mt19937_64 rng{std::random_device{}()};
  httplib::Server http;

  void expire_idle() {  // with sessions_mutex held
    const auto now = Clock::now();
    for (auto it = sessions.begin(); it != sessions.end();) {
      const double idle = std::chrono::duration<double>(now - it->second.last_used).count();
      it = idle > options.session_ttl_seconds ? sessions.erase(it) : std::next(it);
    }
  }

  std::string new_id() {  // with sessions_mutex held
    char buf[33];
    snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)rng(), (unsigned long long)rng());
    return buf;
  }

  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    if (options.api_key.empty() || req.get_header_value("Authorization") == "Bearer " + options.api_key) return true;
    reply_error(res, 401, "missing or wrong API key (Authorization: Bearer ...)");
    return false;
  }

  static std::optional<nlohmann::json> body_of(const httplib::Request& req, httplib::Response& res) {
    try {
      auto j = nlohmann::json::parse(req.body);
      if (j.is_object()) return j;
    } catch (const std::exception&) {
    }
    reply_error(res, 400, "the request body must be a JSON object");
    return std::nullopt;
  }

  static std::optional<std::string> text_field(const nlohmann::json& j, const char* name, httplib::Response& res) {
    if (j.contains(name) && j[name].is_string() && !j[name].get<std::string>().empty()) return j[name].get<std::string>();
    reply_error(res, 400, std::string("\"") + name + "\" must be a non-empty string");
    return std::nullopt;
  }

  void open_session(const httplib::Request& req, httplib::Response& res) {
    auto body = body_of(req, res);
    if (!body) return;
    auto problem = text_field(*body, "problem", res);
    if (!problem) return;
    auto attempt = text_field(*body, "attempt", res);
    if (!attempt) return;
    OracleMode mode = OracleMode::own_reference;
    try {
      mode = parse_oracle_mode(body->value("mode", "own-reference"));
    } catch (const Error& e) {
      return reply_error(res, 400, e.what());
    }
    if (mode == OracleMode::self) return reply_error(res, 400, "self mode needs no oracle server");
    std::string gold = body->value("gold", "");
    if (mode == OracleMode::gold_reference && gold.empty())
      return reply_error(res, 400, "gold-reference mode needs \"gold\"");
    {
      std::lock_guard lock(sessions_mutex);
      expire_idle();
      if (sessions.size() >= options.max_sessions)
        return reply_error(res, 503, "too many open sessions; close one or retry later");
    }
    // Writing the reference solution is slow: do it outside the sessions lock.
    Session s;
    s.oracle = make_reference_oracle(std::make_unique<SharedBackend>(*backend, model_mutex), prompts, mode,
                                     options.max_reference_tokens, UnclearPolicy::no);
    s.oracle->begin({*problem, *attempt, gold});
    s.last_used = Clock::now();
    std::lock_guard lock(sessions_mutex);
    if (sessions.size() >= options.max_sessions)
      return reply_error(res, 503, "too many open sessions; close one or retry later");
    const std::string id = new_id();
    sessions.emplace(id, std::move(s));
    reply_json(res, 201, {{"session", id}, {"model", model.name()}, {"mode", to_string(mode)},
                          {"expires_after_idle_seconds", options.session_ttl_seconds}});
  }

  void ask(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    auto body = body_of(req, res);
    if (!body) return;
    auto question = text_field(*body, "question", res);
    if (!question) return;
    std::shared_ptr<Oracle> oracle;
    std::shared_ptr<std::mutex> busy;
    {
      std::lock_guard lock(sessions_mutex);
      expire_idle();
      auto it = sessions.find(id);
      if (it == sessions.end()) return reply_error(res, 404, "no such session (closed or expired)");
      it->second.last_used = Clock::now();
      oracle = it->second.oracle;
      busy = it->second.busy;
    }
    std::lock_guard turn(*busy);
    const bool yes = oracle->answer({*question, 0});
    reply_json(res, 200, {{"answer", yes ? "yes" : "no"}, {"bit", yes ? 1 : 0}});
  }

  void close_session(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    std::lock_guard lock(sessions_mutex);
    if (sessions.erase(id) == 0) return reply_error(res, 404, "no such session (closed or expired)");
    res.status = 204;
  }
};

OracleServer::OracleServer(const detail::LoadedModel& model, const Prompts& prompts, ServerOptions options)
    : state_(new State{model, prompts, std::move(options), nullptr, {}, {}, {}, {}, {}}) {
  State& s = *state_;
  s.backend = make_local_backend(model, s.options.context_tokens);
  s.http.set_payload_max_length(s.options.max_request_bytes);
  auto guarded = [&s](auto handler) {
    return [&s, handler](const httplib::Request& req, httplib::Response& res) {
      if (!s.authorized(req, res)) return;
      try {
        (s.*handler)(req, res);
      } catch (const std::exception& e) {
        reply_error(res, 500, e.what());
      }
    };
  };
  s.http.Get("/v1/health", [&s](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(s.sessions_mutex);
    reply_json(res, 200, {{"status", "ok"}, {"model", s.model.name()}, {"sessions", s.sessions.size()}});
  });
  s.http.Post("/v1/sessions", guarded(&State::open_session));
  s.http.Post(R"(/v1/sessions/([0-9a-f]+)/questions)", guarded(&State::ask));
  s.http.Delete(R"(/v1/sessions/([0-9a-f]+))", guarded(&State::close_session));
  s.http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) reply_error(res, res.status, res.status == 413 ? "request too large" : "no such endpoint");
  });
}

OracleServer::~OracleServer() { stop(); }

int OracleServer::bind() {
  State& s = *state_;
  const int port = s.options.port == 0 ? s.http.bind_to_any_port(s.options.host)
                                       : (s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1);
  if (port < 0)
    fail(ErrorCode::io, "cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
                            " (port taken or address not available)");
  return port;
}

void OracleServer::serve() { state_->http.listen_after_bind(); }

void OracleServer::stop() {
  if (state_) state_->http.stop();
}

}  // namespace llmz::qa
