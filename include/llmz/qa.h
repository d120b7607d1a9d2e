// llmz public API: question asking (design §5, docs/QA.md). A small model (the SLM) answers a problem,
// asks yes/no questions about its answer, an oracle (a stronger model) answers each with one bit, and
// the SLM revises. The receiver runs the same SLM and needs only the coded answers: a .qa file.
//
//   llmz::Model slm = llmz::Model::load({.path = "qwen0.5b.gguf"}), llm = llmz::Model::load({...});
//   auto oracle = llmz::qa::make_model_oracle(llm, llmz::qa::default_prompts(), {});
//   auto sent = llmz::qa::encode(slm, *oracle, llmz::qa::default_prompts(), {}, problem);
//   auto got = llmz::qa::decode(slm, llmz::qa::default_prompts(), sent.file, problem);  // == sent.transcript
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llmz/llmz.h"

namespace llmz::qa {

inline constexpr uint32_t kAnswerBits = 16;    // probabilities are in units of 2^-16
inline constexpr uint32_t kMaxQuestions = 32;  // keeps the answer coder's mixture weights inside 64 bits

// The protocol's prompt templates: they change every generated word, so a file's hash goes into each
// .qa header. prompts/qa-v1.json and qa-choice-v2.json are built in; users may pass their own file.
struct Prompts {
  std::string version;
  std::string attempt;           // {problem}
  std::string questions_batch;   // {problem} {attempt} {n}
  std::string question_next;     // {problem} {attempt} {transcript}
  std::string answer;            // {problem} {attempt} {transcript} {question}: the SLM's P(yes)
  std::string oracle_reference;  // {problem}: the LLM's own solution
  std::string oracle_answer;     // {problem} {reference} {attempt} {question}
  // Optional, {attempt} {question}: own-reference asks it instead of oracle_answer, as the next turn
  // of the conversation in which the LLM wrote its solution (a local LLM then evaluates only the
  // question, not the problem and solution again).
  std::string oracle_followup;
  std::string revision;  // {problem} {attempt} {transcript}
  // How the SLM's reply to question_next starts (part of the question), and how its revision starts
  // (part of the final answer). Either may hold one placeholder that names one of the problem's
  // "A. ..." choices: {choice}, the letter the SLM scores highest there (the line then goes on
  // greedily); {choice_line}, "C. <text>" for the choice whose text the SLM finds likeliest per byte
  // there (the reply ends with it). docs/QA.md.
  std::string question_prefix;
  std::string revision_prefix;
  // Candidates mode only (optional elsewhere): the question about one candidate answer ({answer}),
  // and what candidates are grouped and asked about by: "final answer" (the result a solution states),
  // "program" (the code it holds) or "choice" (the problem's lettered choices; {answer} is the
  // letter). prompts/qa-candidates-v1.json.
  std::string candidate_question;
  std::string candidate_answer;
  uint64_t hash = 0;  // XXH3-64 of the file's bytes
};
const Prompts& default_prompts();
// prompts/qa-choice-v2.json: for multiple-choice problems (questions about the choices, a revision
// that names one).
const Prompts& choice_prompts();
// prompts/qa-candidates-v1.json, qa-candidates-code-v2.json and qa-candidates-choice-v1.json: for
// candidates mode (questions about sampled final answers, sampled programs, or the choices of a
// multiple-choice problem).
const Prompts& candidate_prompts();
const Prompts& candidate_code_prompts();
const Prompts& candidate_choice_prompts();
// The built-in prompts whose file hash is this (what a .qa header records), or nullptr.
const Prompts* builtin_prompts(uint64_t hash);
// Reads a template file; every template must be present and use only its own placeholders.
Prompts load_prompts(const std::string& path);
Prompts parse_prompts(const std::string& json_text, const std::string& origin);

enum class QuestionMode {
  batch,       // all questions written at once, before any answer (the paper's way)
  sequential,  // each question sees the earlier questions and their answers
  candidates,  // the SLM samples solutions and asks about their final answers, most frequent first,
               // until one is confirmed; its solution is the final answer. On multiple choice the
               // candidates are the choices, and a rejected one is never the answer (docs/QA.md)
};
const char* to_string(QuestionMode m);
QuestionMode parse_question_mode(const std::string& s);  // fails with a usage error
// Fails with a usage error if the prompts cannot run in this mode (candidates mode needs the
// candidate templates): a check to make before any model is loaded.
void check_prompts_for(const Prompts& prompts, QuestionMode mode);

enum class OracleMode {
  own_reference,   // the oracle first writes its own solution and answers from it (deployable)
  gold_reference,  // the oracle is given the dataset's answer (the paper's setting: an upper bound)
  self,            // the SLM answers its own questions (the control)
};
const char* to_string(OracleMode m);
OracleMode parse_oracle_mode(const std::string& s);  // fails with a usage error

// Everything besides the model and the prompts that changes what the SLM writes.
inline constexpr uint32_t kMinContextTokens = 64;        // the shortest SLM conversation a file may name
inline constexpr uint32_t kMaxContextTokens = 1u << 20;  // the longest (also bounded by the model's own)
struct Settings {
  QuestionMode mode = QuestionMode::sequential;
  uint32_t questions = 10;
  uint32_t max_attempt_tokens = 256;  // the first attempt and the revision
  uint32_t max_question_tokens = 48;  // one question (batch mode: per question)
  uint32_t context_tokens = 4096;     // the most tokens one SLM conversation may hold
};

struct Turn {
  std::string question;
  bool yes = false;
  uint32_t slm_yes = 0;    // the SLM's P(yes), units of 2^-kAnswerBits
  uint32_t coded_yes = 0;  // the probability the answer was coded with (SLM mixed with a coin)
};

struct Transcript {
  std::string attempt;
  std::vector<Turn> turns;
  std::string final_answer;
  double cost_bits = 0;  // information content of the answers: what the coded file carries
};

// Called as the protocol goes: after the first attempt, after each answered question.
struct Observer {
  std::function<void(const std::string& attempt)> on_attempt;
  std::function<void(const Turn& turn)> on_turn;
};

// What an oracle is told about a problem before the questions come.
struct Task {
  std::string problem;
  std::string attempt;  // the SLM's first attempt, which the questions are about
  std::string gold;     // the dataset's answer (gold-reference mode only)
};

struct Question {
  std::string text;
  uint32_t slm_yes = 0;  // the SLM's own P(yes) in units of 2^-kAnswerBits (what the self oracle answers from)
};

// The oracle answers the SLM's questions. It runs at the sender only, so it need not be deterministic;
// implement it to put any other answerer behind the protocol.
class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual OracleMode mode() const = 0;  // recorded in the .qa header
  virtual void begin(const Task& task) = 0;
  virtual bool answer(const Question& q) = 0;
  // The oracle's own solution (own-reference mode), else empty.
  virtual std::string reference() const { return {}; }
  // Replies that were neither yes nor no and were counted as "no" (see docs/QA.md).
  virtual uint32_t unclear_answers() const { return 0; }
  virtual std::string name() const = 0;
};

enum class UnclearPolicy { no, fail };  // what a reply that is neither yes nor no counts as

struct OracleOptions {
  OracleMode mode = OracleMode::own_reference;  // own_reference or gold_reference
  uint32_t max_reference_tokens = 512;          // longest own solution
  UnclearPolicy unclear = UnclearPolicy::no;
  uint32_t context_tokens = 4096;  // local model: the longest conversation
};

// An HTTP endpoint: http(s)://host[:port][/prefix], e.g. http://127.0.0.1:8080/v1.
struct Endpoint {
  std::string url;
  std::string api_key;  // sent as a bearer token when not empty
  double timeout_seconds = 120;
  int retries = 3;  // after connection failures, 429 and 5xx, with exponential back-off
};

// A local model answers from a reference (its own solution, or the gold answer), greedily.
std::unique_ptr<Oracle> make_model_oracle(const Model& llm, const Prompts& prompts, const OracleOptions& options);
// Any OpenAI-compatible /chat/completions endpoint (llama-server, vLLM, Ollama); model: the name it
// expects (empty for single-model servers).
std::unique_ptr<Oracle> make_openai_oracle(const Endpoint& endpoint, const std::string& model, const Prompts& prompts,
                                           const OracleOptions& options);
// An `llmz serve` oracle server: a session per problem, one request per question.
std::unique_ptr<Oracle> make_remote_oracle(const Endpoint& endpoint, OracleMode mode);
// The self-refinement control: answers "yes" exactly when the SLM thinks yes is more likely.
std::unique_ptr<Oracle> make_self_oracle(std::string slm_name);

struct Encoded {
  Transcript transcript;
  std::vector<uint8_t> file;  // the .qa file
  std::string reference;      // the oracle's own solution (own-reference mode)
  uint32_t unclear = 0;       // oracle replies that were neither yes nor no (counted as no)
};

// Runs the protocol with the oracle and codes its answers. gold: the dataset's answer (gold-reference).
Encoded encode(const Model& slm, Oracle& oracle, const Prompts& prompts, const Settings& settings,
               const std::string& problem, const std::string& gold = {}, const Observer& observer = {});

// Rebuilds the transcript from the file. Fails if the SLM, the prompts or the problem are not those
// of the file, or if the rebuilt final answer does not match the sender's checksum.
Transcript decode(const Model& slm, const Prompts& prompts, std::span<const uint8_t> file, const std::string& problem,
                  const Observer& observer = {});

// The .qa format written (docs/QA.md): 5, the frame every llmz file shares; version 1 files still read.
inline constexpr uint8_t kQaFormatVersion = 5;

// What a .qa file says about itself; needs no model.
struct QaFileInfo {
  uint32_t format_version = 0;
  std::string slm_name;
  std::string slm_fingerprint;  // hex XXH3-128 of the SLM's tensor data
  uint64_t tokenizer_hash = 0;
  std::string compute;  // the sender's compute_id()
  std::string prompts_version;
  uint64_t prompts_hash = 0;  // XXH3-64 of the template file
  uint64_t problem_hash = 0;  // XXH3-64 of the problem text
  Settings settings;
  OracleMode oracle_mode = OracleMode::own_reference;
  std::string oracle_name;
  uint32_t answers = 0;  // answer bits coded
  uint64_t transcript_checksum = 0;
  uint32_t answer_size = 0;  // bytes of the final answer
  double coded_bits = 0;     // information content of the answers
  uint64_t payload_size = 0;
  uint64_t file_size = 0;
};
bool is_qa_file(std::span<const uint8_t> file);
QaFileInfo inspect_qa(std::span<const uint8_t> file);

}  // namespace llmz::qa
