#include "cli/qa_commands.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command_group.h"
#include "cli/file_io.h"
#include "cli/model_registry.h"
#include "common/error.h"
#include "common/text.h"
#include "llmz/llmz.h"
#include "llmz/qa.h"
#include "llmz/serve.h"

namespace llmz::cli {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string read_text(const std::string& path) {
  const auto bytes = read_input(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string percent(uint32_t freq) {
  char buf[16];
  snprintf(buf, sizeof buf, "%.0f%%", 100.0 * freq / (1u << qa::kAnswerBits));
  return buf;
}

void print_attempt(std::ostream& out, const std::string& attempt) { out << "SLM attempt:\n" << attempt << "\n\n"; }

void print_turn(std::ostream& out, size_t k, const qa::Turn& t) {
  out << "Q" << k << ": " << t.question << "\n   -> " << (t.yes ? "yes" : "no") << "  (SLM P(yes) "
      << percent(t.slm_yes) << ", coded with " << percent(t.coded_yes) << ")\n";
}

nlohmann::json transcript_json(const qa::Transcript& t) {
  nlohmann::json turns = nlohmann::json::array();
  for (const auto& turn : t.turns)
    turns.push_back({{"question", turn.question},
                     {"answer", turn.yes ? "yes" : "no"},
                     {"slm_p_yes", double(turn.slm_yes) / (1u << qa::kAnswerBits)},
                     {"coded_p_yes", double(turn.coded_yes) / (1u << qa::kAnswerBits)}});
  return {{"attempt", t.attempt},
          {"turns", turns},
          {"final_answer", t.final_answer},
          {"questions", t.turns.size()},
          {"coded_bits", t.cost_bits}};
}

struct QaCommands final : CommandGroup {
  CLI::App *encode = nullptr, *decode = nullptr, *serve = nullptr, *ask = nullptr;
  // shared
  std::string slm = default_model(), llm = "gemma3", prompts_file, prompt_file, prompt_text;
  int threads = 0;                      // auto
  Compute compute = Compute::portable;  // encode, ask, serve; decode takes the file's
  bool verbose = false, quiet = false, json = false, force = false;
  qa::Settings settings;
  std::string question_mode = "sequential", oracle_mode = "own-reference", unclear = "no";
  std::string gold, gold_file, output, input;
  // HTTP
  std::string oracle_url = env_or("LLMZ_ORACLE_URL", ""), oracle_model = env_or("LLMZ_ORACLE_MODEL", "");
  std::string api_key = env_or("LLMZ_API_KEY", env_or("OPENAI_API_KEY", ""));
  double timeout = 120;
  int retries = 3;
  uint32_t max_reference_tokens = 512;
  qa::ServerOptions server;

  void add_slm_options(CLI::App& c) {
    c.add_option("--slm", slm, "small model (runs at both ends): a GGUF path or a short name")->capture_default_str();
    c.add_option("--prompts", prompts_file,
                 "prompt template file (default: the built-in qa-v1, qa-candidates-v1 in candidates mode; decode: "
                 "the built-in set the file was made with)");
    add_threads_option(c, threads);
    c.add_option("--prompt-file", prompt_file, "the problem (prompt) both ends know");
  }
  void add_protocol_options(CLI::App& c) {
    add_compute_option(c, compute);
    c.add_option("-n,--questions", settings.questions, "yes/no questions to ask")
        ->check(CLI::Range(0u, qa::kMaxQuestions))
        ->capture_default_str();
    c.add_option("--question-mode", question_mode,
                 "batch (all at once), sequential (each sees earlier answers) or candidates (asks which of "
                 "its sampled final answers is right, most frequent first)")
        ->capture_default_str();
    c.add_option("--oracle-mode", oracle_mode,
                 "own-reference (oracle answers from its own solution), gold-reference (from --gold: an upper "
                 "bound), self (the SLM answers itself: the control)")
        ->capture_default_str();
    c.add_option("--gold", gold, "the problem's correct answer (gold-reference mode)");
    c.add_option("--gold-file", gold_file, "file holding the correct answer (gold-reference mode)");
    c.add_option("--max-attempt-tokens", settings.max_attempt_tokens, "longest SLM attempt or revision")
        ->capture_default_str();
    c.add_option("--max-question-tokens", settings.max_question_tokens, "longest SLM question")->capture_default_str();
    c.add_option("--api-key", api_key, "bearer token for the oracle endpoint (env LLMZ_API_KEY or OPENAI_API_KEY)");
    c.add_option("--timeout", timeout, "seconds to wait for an oracle reply")->capture_default_str();
    c.add_option("--retries", retries, "tries again after network errors, 429 and 5xx")->capture_default_str();
    c.add_flag("-v,--verbose", verbose, "print the transcript");
    c.add_flag("-q,--quiet", quiet, "print nothing but errors");
    c.add_flag("--json", json, "print the transcript as JSON on stdout");
  }

  explicit QaCommands(CLI::App& app) {
    auto* qa = app.add_subcommand("qa", "question-asking compression: a strong model's help in a few bits");
    qa->require_subcommand(1);
    encode = qa->add_subcommand("encode", "run the protocol with an oracle and write the answer bits to a .qa file");
    add_slm_options(*encode);
    add_protocol_options(*encode);
    encode->add_option("--prompt", prompt_text, "the problem as text (instead of --prompt-file)");
    encode->add_option("--llm", llm, "oracle model, a local GGUF path or short name")->capture_default_str();
    encode->add_option(
        "--oracle-url", oracle_url,
        "OpenAI-compatible endpoint instead of --llm, e.g. http://127.0.0.1:8080/v1 (env LLMZ_ORACLE_URL)");
    encode->add_option("--oracle-model", oracle_model,
                       "model name to request from --oracle-url (env LLMZ_ORACLE_MODEL)");
    encode
        ->add_option("--unclear", unclear, "a reply that is neither yes nor no after one retry counts as: no, or fail")
        ->capture_default_str();
    encode->add_option("--max-reference-tokens", max_reference_tokens, "longest oracle solution")
        ->capture_default_str();
    encode->add_option("-o,--output", output, "the .qa file to write")->required();
    encode->add_flag("-f,--force", force, "overwrite the output");

    decode = qa->add_subcommand("decode", "rebuild the SLM's final answer from a .qa file and the prompt");
    add_slm_options(*decode);
    decode->add_option("--prompt", prompt_text, "the problem as text (instead of --prompt-file)");
    decode->add_option("file", input, "the .qa file")->required();
    decode->add_option("-o,--output", output, "write the final answer here (default: stdout)");
    decode->add_flag("-f,--force", force, "overwrite the output");
    decode->add_flag("-v,--verbose", verbose, "print the transcript on stderr");
    decode->add_flag("--json", json, "print the transcript as JSON on stdout");

    serve = app.add_subcommand("serve", "oracle server for live question asking (API in docs/QA.md)");
    serve->add_option("-m,--model", llm, "the oracle model: a GGUF path or short name")->capture_default_str();
    serve->add_option("--host", server.host, "address to listen on")->capture_default_str();
    serve->add_option("--port", server.port, "port (0: any free port, printed at start)")->capture_default_str();
    serve->add_option("--api-key", server.api_key, "require this bearer token (env LLMZ_API_KEY)");
    serve->add_option("--max-sessions", server.max_sessions, "sessions open at once")->capture_default_str();
    serve->add_option("--session-ttl", server.session_ttl_seconds, "seconds before an idle session closes")
        ->capture_default_str();
    serve->add_option("--max-request-bytes", server.max_request_bytes, "largest request body")->capture_default_str();
    serve->add_option("--max-reference-tokens", server.max_reference_tokens, "longest oracle solution")
        ->capture_default_str();
    serve->add_option("--prompts", prompts_file, "prompt template file (default: the built-in qa-v1)");
    add_threads_option(*serve, threads);
    add_compute_option(*serve, compute);

    ask = app.add_subcommand("ask", "run the protocol live against an `llmz serve` oracle and print the transcript");
    add_slm_options(*ask);
    add_protocol_options(*ask);
    ask->add_option("--oracle", oracle_url, "the oracle server, e.g. http://127.0.0.1:8080/v1")->required();
    ask->add_option("prompt", prompt_text, "the problem as text (or --prompt-file)");
  }

  qa::Prompts prompts() const {
    if (!prompts_file.empty()) return qa::load_prompts(prompts_file);
    return question_mode == "candidates" ? qa::candidate_prompts() : qa::default_prompts();
  }

  std::string problem() const {
    if (!prompt_text.empty() && !prompt_file.empty())
      fail(ErrorCode::usage, "give the prompt as text or as a file, not both");
    std::string p = prompt_file.empty() ? prompt_text : read_text(prompt_file);
    if (p.empty()) fail(ErrorCode::usage, "no prompt: pass --prompt-file FILE (or the prompt as text)");
    return p;
  }

  std::string gold_answer() const {
    if (!gold_file.empty()) return read_text(gold_file);
    return gold;
  }

  Model load(const std::string& name) const { return Model::load({resolve_model(name), threads}); }

  qa::Observer printer() const {
    if (!verbose) return {};
    auto k = std::make_shared<size_t>(0);
    return {[](const std::string& a) { print_attempt(std::cerr, a); },
            [k](const qa::Turn& t) { print_turn(std::cerr, ++*k, t); }};
  }

  void report(const qa::Transcript& t, size_t file_bytes, std::ostream& out) const {
    if (json) {
      auto j = transcript_json(t);
      j["file_bytes"] = file_bytes;
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (!quiet) {
      const size_t yes = size_t(std::count_if(t.turns.begin(), t.turns.end(), [](const qa::Turn& x) { return x.yes; }));
      char line[200];
      snprintf(line, sizeof line, "%zu answer bits (%zu yes, %zu no) coded in %.2f bits", t.turns.size(), yes,
               t.turns.size() - yes, t.cost_bits);
      out << line;
      if (file_bytes) out << "; .qa file " << file_bytes << " bytes";
      out << "\n";
    }
  }

  std::unique_ptr<qa::Oracle> oracle_for(qa::OracleMode mode, const Model& slm, std::optional<Model>& llm_model) {
    if (mode == qa::OracleMode::self) return qa::make_self_oracle(slm.name());
    const qa::UnclearPolicy policy =
        unclear == "no"     ? qa::UnclearPolicy::no
        : unclear == "fail" ? qa::UnclearPolicy::fail
                            : (fail(ErrorCode::usage, "--unclear takes no or fail"), qa::UnclearPolicy::no);
    const qa::OracleOptions options{mode, max_reference_tokens, policy, settings.context_tokens};
    if (!oracle_url.empty())
      return qa::make_openai_oracle({oracle_url, api_key, timeout, retries}, oracle_model, prompts(), options);
    llm_model = load(llm);
    return qa::make_model_oracle(*llm_model, prompts(), options);
  }

  int run_encode() {
    settings.mode = qa::parse_question_mode(question_mode);
    const auto mode = qa::parse_oracle_mode(oracle_mode);
    qa::check_prompts_for(prompts(), settings.mode);
    const std::string p = problem();
    if (!force && access(output.c_str(), F_OK) == 0)
      fail(ErrorCode::io, output + ": already exists (use -f to overwrite)");
    const Model slm_model = load(slm);
    std::optional<Model> llm_model;
    auto oracle = oracle_for(mode, slm_model, llm_model);
    const auto enc = qa::encode(slm_model, *oracle, prompts(), settings, p, gold_answer(), printer());
    write_output(output, enc.file, force);
    if (verbose) std::cerr << "\nfinal answer:\n" << enc.transcript.final_answer << "\n\n";
    if (enc.unclear)
      std::cerr << "llmz: warning: " << enc.unclear << " oracle replies were neither yes nor no and counted as no\n";
    report(enc.transcript, enc.file.size(), std::cerr);
    return 0;
  }

  int run_decode() {
    const std::string p = problem();
    const auto file = read_input(input);
    if (!qa::is_qa_file(file)) fail(ErrorCode::corrupt, input + ": not an llmz QA file");
    const auto info = qa::inspect_qa(file);
    use_compute(compute_profile_of(info.compute));
    const Model slm_model = load(slm);
    const qa::Prompts* builtin = prompts_file.empty() ? qa::builtin_prompts(info.prompts_hash) : nullptr;
    const auto t = qa::decode(slm_model, builtin ? *builtin : prompts(), file, p, printer());
    const std::string answer = t.final_answer + "\n";
    if (json) {
      report(t, file.size(), std::cerr);
    } else {
      write_output(output.empty() ? "-" : output, {reinterpret_cast<const uint8_t*>(answer.data()), answer.size()},
                   force);
    }
    return 0;
  }

  int run_serve() {
    if (server.api_key.empty()) server.api_key = env_or("LLMZ_API_KEY", "");
    server.context_tokens = settings.context_tokens;
    const Model model = load(llm);
    qa::OracleServer srv(model, prompts(), server);
    const int port = srv.bind();
    fprintf(stderr, "llmz serve: %s answering on http://%s:%d/v1 (%s)\n", model.name().c_str(), server.host.c_str(),
            port, server.api_key.empty() ? "no API key" : "API key required");
    static qa::OracleServer* running = nullptr;
    running = &srv;
    auto stop = [](int) {
      if (running) running->stop();
    };
    std::signal(SIGINT, stop);
    std::signal(SIGTERM, stop);
    srv.serve();
    running = nullptr;
    return 0;
  }

  int run_ask() {
    settings.mode = qa::parse_question_mode(question_mode);
    const auto mode = qa::parse_oracle_mode(oracle_mode);
    const std::string p = problem();
    const Model slm_model = load(slm);
    auto oracle = mode == qa::OracleMode::self ? qa::make_self_oracle(slm_model.name())
                                               : qa::make_remote_oracle({oracle_url, api_key, timeout, retries}, mode);
    if (!json) verbose = !quiet;
    auto k = std::make_shared<size_t>(0);
    qa::Observer obs;
    if (verbose)
      obs = {[](const std::string& a) { print_attempt(std::cout, a); },
             [k](const qa::Turn& t) { print_turn(std::cout, ++*k, t); }};
    const auto enc = qa::encode(slm_model, *oracle, prompts(), settings, p, gold_answer(), obs);
    if (verbose) std::cout << "\nfinal answer:\n" << enc.transcript.final_answer << "\n\n";
    report(enc.transcript, 0, std::cout);
    return 0;
  }

  bool parsed() const override { return encode->parsed() || decode->parsed() || serve->parsed() || ask->parsed(); }

  int run() override {
    if (decode->parsed()) return run_decode();
    use_compute(compute);
    if (encode->parsed()) return run_encode();
    if (serve->parsed()) return run_serve();
    return run_ask();
  }
};

}  // namespace

std::unique_ptr<CommandGroup> add_qa_commands(CLI::App& app) { return std::make_unique<QaCommands>(app); }

bool is_qa_file(const std::vector<uint8_t>& file) { return qa::is_qa_file(file); }

void print_qa_info(const std::string& name, const std::vector<uint8_t>& file, bool json) {
  const qa::QaFileInfo h = qa::inspect_qa(file);
  char answer_hash[17], problem_hash[17], prompts_hash[17];
  snprintf(answer_hash, sizeof answer_hash, "%016llx", (unsigned long long)h.transcript_checksum);
  snprintf(problem_hash, sizeof problem_hash, "%016llx", (unsigned long long)h.problem_hash);
  snprintf(prompts_hash, sizeof prompts_hash, "%016llx", (unsigned long long)h.prompts_hash);
  if (json) {
    nlohmann::json j = {{"file", name},
                        {"format_version", h.format_version},
                        {"mode", "qa"},
                        {"slm_name", h.slm_name},
                        {"slm_fingerprint", h.slm_fingerprint},
                        {"compute", h.compute},
                        {"prompts_version", h.prompts_version},
                        {"prompts_xxh3_64", prompts_hash},
                        {"problem_xxh3_64", problem_hash},
                        {"question_mode", qa::to_string(h.settings.mode)},
                        {"questions", h.settings.questions},
                        {"answers", h.answers},
                        {"max_attempt_tokens", h.settings.max_attempt_tokens},
                        {"max_question_tokens", h.settings.max_question_tokens},
                        {"context_tokens", h.settings.context_tokens},
                        {"oracle_mode", qa::to_string(h.oracle_mode)},
                        {"oracle", h.oracle_name},
                        {"coded_bits", h.coded_bits},
                        {"payload_bytes", h.payload_size},
                        {"file_size", h.file_size},
                        {"final_answer_bytes", h.answer_size},
                        {"transcript_xxh3_64", answer_hash}};
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  printf("file:          %s\n", printable(name).c_str());
  printf("format:        llmz QA version %u (question asking; decodes to the SLM's answer, not to a file)\n",
         unsigned(h.format_version));
  printf("SLM:           %s\n", printable(h.slm_name).c_str());
  printf("fingerprint:   %s\n", h.slm_fingerprint.c_str());
  printf("prompts:       %s, hash %s\n", printable(h.prompts_version).c_str(), prompts_hash);
  printf("problem:       hash %s\n", problem_hash);
  printf("protocol:      %s questions, %u asked of %u; attempts up to %u tokens, questions up to %u\n",
         qa::to_string(h.settings.mode), h.answers, h.settings.questions, h.settings.max_attempt_tokens,
         h.settings.max_question_tokens);
  printf("oracle:        %s (%s)\n", printable(h.oracle_name).c_str(), qa::to_string(h.oracle_mode));
  printf("compute:       %s\n", printable(h.compute).c_str());
  printf("answer bits:   %u answers in %.2f coded bits, payload %llu bytes, file %llu bytes\n", h.answers, h.coded_bits,
         (unsigned long long)h.payload_size, (unsigned long long)h.file_size);
  printf("final answer:  %u bytes; transcript xxh3-64 %s\n", h.answer_size, answer_hash);
}

}  // namespace llmz::cli
