#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <variant>

#include "common/error.h"
#include "llmz/serve.h"
#include "model/loaded_model.h"
#include "qa/local_backend.h"
#include "qa/oracle.h"
#include "serve/server_requests.h"

namespace llmz::qa {

namespace {

using Clock = std::chrono::steady_clock;

// Thrown when too many requests already wait for the model: the client gets 503 and retries.
struct ModelBusy {};

// One model for every session: requests take turns, and at most max_waiting wait for their turn.
class ModelQueue {
 public:
  ModelQueue(ChatBackend& backend, uint32_t max_waiting) : backend_(backend), max_waiting_(max_waiting) {}
  template <class F>
  auto run(F&& f) {
    if (waiting_.fetch_add(1) >= max_waiting_) {
      waiting_--;
      throw ModelBusy{};
    }
    std::lock_guard lock(mutex_);
    waiting_--;
    return f(backend_);
  }
  std::string name() const { return backend_.name(); }

 private:
  ChatBackend& backend_;
  uint32_t max_waiting_;
  std::mutex mutex_;
  std::atomic<uint32_t> waiting_{0};
};

class SharedBackend : public ChatBackend {
 public:
  explicit SharedBackend(ModelQueue& queue) : queue_(queue) {}
  std::string reply(const Conversation& conversation, uint32_t max_tokens) override {
    return queue_.run([&](ChatBackend& b) { return b.reply(conversation, max_tokens); });
  }
  std::optional<bool> yes_no(const Conversation& conversation) override {
    return queue_.run([&](ChatBackend& b) { return b.yes_no(conversation); });
  }
  std::string name() const override { return queue_.name(); }

 private:
  ModelQueue& queue_;
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
  std::unique_ptr<ModelQueue> queue;
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

  // The checked request, or nullptr after replying with the refusal.
  template <class T>
  static const T* accepted(const std::variant<T, RequestError>& parsed, httplib::Response& res) {
    if (const auto* e = std::get_if<RequestError>(&parsed)) {
      reply_error(res, e->status, e->message);
      return nullptr;
    }
    return &std::get<T>(parsed);
  }

  void open_session(const httplib::Request& req, httplib::Response& res) {
    const auto parsed = parse_session_request(req.body);
    const SessionRequest* r = accepted(parsed, res);
    if (!r) return;
    // The oracle's prompts hold the problem and the attempt, and its reference must fit beside them.
    const size_t tokens = model.tokenize(r->problem, false).size() + model.tokenize(r->attempt, false).size();
    if (tokens + options.max_reference_tokens > options.context_tokens)
      return reply_error(
          res, 400,
          "problem and attempt too long for the model's context (" + std::to_string(tokens) + " tokens, at most " +
              std::to_string(options.context_tokens - std::min(options.context_tokens, options.max_reference_tokens)) +
              ")");
    {
      std::lock_guard lock(sessions_mutex);
      expire_idle();
      if (sessions.size() >= options.max_sessions)
        return reply_error(res, 503, "too many open sessions; close one or retry later");
    }
    // Writing the reference solution is slow: do it outside the sessions lock.
    Session s;
    s.oracle = make_reference_oracle(std::make_unique<SharedBackend>(*queue), prompts, r->mode,
                                     options.max_reference_tokens, UnclearPolicy::no);
    s.oracle->begin({r->problem, r->attempt, r->gold});
    s.last_used = Clock::now();
    std::lock_guard lock(sessions_mutex);
    if (sessions.size() >= options.max_sessions)
      return reply_error(res, 503, "too many open sessions; close one or retry later");
    const std::string id = new_id();
    sessions.emplace(id, std::move(s));
    reply_json(res, 201,
               {{"session", id},
                {"model", model.name()},
                {"mode", to_string(r->mode)},
                {"expires_after_idle_seconds", options.session_ttl_seconds}});
  }

  void ask(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    const auto parsed = parse_question_request(req.body, options.max_question_bytes);
    const QuestionRequest* r = accepted(parsed, res);
    if (!r) return;
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
    const bool yes = oracle->answer({r->question, 0});
    reply_json(res, 200, {{"answer", yes ? "yes" : "no"}, {"bit", yes ? 1 : 0}});
  }

  void close_session(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    std::lock_guard lock(sessions_mutex);
    if (sessions.erase(id) == 0) return reply_error(res, 404, "no such session (closed or expired)");
    res.status = 204;
  }
};

OracleServer::OracleServer(const Model& model, const Prompts& prompts, ServerOptions options)
    : state_(new State{detail::loaded_model(model), prompts, std::move(options), nullptr, nullptr, {}, {}, {}, {}}) {
  State& s = *state_;
  s.backend = make_local_backend(s.model, s.options.context_tokens);
  s.queue = std::make_unique<ModelQueue>(*s.backend, s.options.max_waiting);
  s.http.set_payload_max_length(s.options.max_request_bytes);
  s.http.set_read_timeout(s.options.read_timeout_seconds, 0);
  s.http.set_write_timeout(5, 0);
  s.http.set_keep_alive_timeout(s.options.read_timeout_seconds);
  const size_t workers = size_t(s.options.max_sessions) + s.options.extra_workers;
  s.http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // The key is checked once the headers are in, before a body is read.
  s.http.set_pre_routing_handler([&s](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/v1/health" || s.authorized(req, res)) return httplib::Server::HandlerResponse::Unhandled;
    return httplib::Server::HandlerResponse::Handled;
  });
  auto guarded = [&s](auto handler) {
    return [&s, handler](const httplib::Request& req, httplib::Response& res) {
      try {
        (s.*handler)(req, res);
      } catch (const ModelBusy&) {
        reply_error(res, 503, "the model is busy (too many requests waiting); retry later");
      } catch (const Error& e) {
        // The request asked for something this server cannot do (a problem longer than the model's
        // context, an unknown mode): the client's error. Other failures are the server's.
        reply_error(res, e.code() == ErrorCode::usage ? 400 : 500, e.what());
      } catch (const std::exception& e) {
        reply_error(res, 500, std::string("internal error: ") + e.what());
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
    if (!res.body.empty()) return;
    const char* why = res.status == 413   ? "request too large"
                      : res.status == 404 ? "no such endpoint"
                      : res.status == 405 ? "method not allowed here"
                      : res.status == 414 ? "request line too long"
                      : res.status < 500  ? "malformed HTTP request"
                                          : "internal error";
    reply_error(res, res.status, why);
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
