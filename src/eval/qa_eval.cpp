#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/error.h"
#include "common/stopwatch.h"
#include "eval/choice_letter_oracle.h"
#include "eval/choice_likelihood.h"
#include "eval/grading.h"
#include "eval/program_run_oracle.h"
#include "eval/qa_rows.h"
#include "eval/results_file.h"
#include "eval/run_problems.h"
#include "llmz/eval.h"
#include "model/generator.h"
#include "model/loaded_model.h"
#include "qa/answers.h"
#include "qa/candidates.h"
#include "qa/local_backend.h"
#include "qa/qa_file.h"

namespace llmz::eval {

namespace {

// What the LLM has said on this problem, shared by its oracles, and the seconds it took. Its own
// solution is written once and is also the "LLM alone" answer; a prompt asked again (the same yes/no
// question at another N) is answered from memory, as replies and logits depend on the prompt alone
// (design §4).
struct LlmMemory {
  std::map<std::string, std::string> replies;
  std::map<std::string, std::optional<bool>> answers;
  double seconds = 0;
};

// The LLM through that memory.
class CachedBackend : public qa::ChatBackend {
 public:
  CachedBackend(qa::ChatBackend& inner, LlmMemory& memory) : inner_(inner), memory_(memory) {}
  static std::string key(const Conversation& conversation, uint32_t max_tokens) {
    std::string k = std::to_string(max_tokens);  // then each message, its length first: unambiguous
    for (const auto& m : conversation) k += "\n" + m.role + " " + std::to_string(m.content.size()) + "\n" + m.content;
    return k;
  }
  std::string reply(const Conversation& conversation, uint32_t max_tokens) override {
    return recall(memory_.replies, key(conversation, max_tokens),
                  [&] { return inner_.reply(conversation, max_tokens); });
  }
  std::optional<bool> yes_no(const Conversation& conversation) override {
    return recall(memory_.answers, key(conversation, 0), [&] { return inner_.yes_no(conversation); });
  }
  std::string name() const override { return inner_.name(); }

 private:
  // The remembered value, else the one the LLM gives now (timed, then remembered).
  template <typename Value, typename Ask>
  const Value& recall(std::map<std::string, Value>& memory, const std::string& key, Ask ask) {
    auto it = memory.find(key);
    if (it == memory.end()) {
      const Stopwatch watch;
      it = memory.emplace(key, ask()).first;
      memory_.seconds += watch.seconds();
    }
    return it->second;
  }

  qa::ChatBackend& inner_;
  LlmMemory& memory_;
};

// A base LLM answers multiple choice by ranking the options (choice_likelihood.h); its answer, written
// out, is also its own reference for the oracles.
bool llm_ranks_choices(const Problem& p, const detail::LoadedModel& llm) {
  return p.kind == AnswerKind::choice && !llm.has_chat_template();
}

char ranked_letter(detail::Generator& model, const Problem& p) {
  return char('A' + likeliest_choice(model, p.stem, p.choices));
}

std::string choice_answer(const Problem& p, char letter) {
  return "The correct answer is " + std::string(1, letter) + ". " + p.choices[size_t(letter - 'A')];
}

nlohmann::json graded(const Problem& p, const std::string& reply) {
  const Grade g = grade(p, reply);
  nlohmann::json j = {{"answer", p.kind == AnswerKind::code ? "" : g.extracted}, {"correct", g.correct}};
  if (!g.note.empty()) j["note"] = g.note;
  return j;
}

// The protocol settings of the largest N asked: what the SLM's conversations must hold.
qa::Settings largest_settings(const QaEvalOptions& o, uint32_t capacity) {
  qa::Settings s;
  s.mode = o.mode;
  s.context_tokens = capacity;
  s.questions = o.n_values.empty() ? 0 : *std::max_element(o.n_values.begin(), o.n_values.end());
  return s;
}

class Runner {
 public:
  Runner(const QaEvalModels& m, const QaEvalOptions& o)
      : o_(o),
        prompts_(o.prompts),
        slm_(detail::loaded_model(m.slm), kCapacity, qa::slm_slots(o.prompts, largest_settings(o, kCapacity))),
        questioner_(detail::loaded_model(m.llm), kCapacity),
        llm_backend_(qa::make_local_backend(detail::loaded_model(m.llm), kCapacity)),
        llm_model_(detail::loaded_model(m.llm)) {
    settings_.mode = o.mode;
    settings_.max_attempt_tokens = o.max_tokens;
    settings_.context_tokens = kCapacity;
    n_set_ = std::set<uint32_t>(o.n_values.begin(), o.n_values.end());
  }

  nlohmann::json problem(const Problem& p) {
    llm_memory_ = {};
    nlohmann::json row = {{"id", p.id}, {"kind", to_string(p.kind)}, {"gold", p.answer}};
    const Stopwatch watch;
    const Conversation reference_prompt = user_turn(fill(prompts_.oracle_reference, {{"problem", p.question}}));
    const bool ranked = llm_ranks_choices(p, llm_model_);
    letter_ = ranked ? ranked_letter(questioner_, p) : 0;
    if (ranked) llm_memory_.replies[CachedBackend::key(reference_prompt, o_.max_tokens)] = choice_answer(p, letter_);
    const std::string own = CachedBackend(*llm_backend_, llm_memory_).reply(reference_prompt, o_.max_tokens);
    row["llm"] = graded(p, own);
    row["llm"]["method"] = ranked ? "likelihood" : "generated";
    row["llm"]["reply"] = own;
    row["llm"]["bytes"] = own.size();
    row["llm"]["tokens"] = llm_model_.tokenize(own, false).size();
    row["llm"]["seconds"] = watch.seconds();
    // The SLM ranking the options too: how much of the gap is the way each model is asked.
    if (ranked) row["slm_likelihood"] = graded(p, choice_answer(p, ranked_letter(slm_, p)));
    if (o_.baselines_only) {
      const std::string alone = qa::attempt(slm_, prompts_, settings_, p.question);
      row["slm"] = graded(p, alone);
      row["slm"]["reply"] = alone;
      return row;
    }

    written_tests_.reset();
    if (o_.run_programs && p.kind == AnswerKind::code) {
      // The LLM's tests, whose calls the oracles run programs on beside the shown test's.
      const Stopwatch tests_watch;
      const Conversation request = {
          reference_prompt.front(), {"assistant", own}, {"user", kProbeTestsRequest}};  // its own solution's next turn
      const std::string tests = CachedBackend(*llm_backend_, llm_memory_).reply(request, o_.max_tokens);
      row["llm"]["tests"] = tests;
      row["llm"]["tests_seconds"] = tests_watch.seconds();
      // Every block: it may write the function again in one and its asserts in the next.
      const auto blocks = qa::code_blocks(tests);
      written_tests_ = blocks.empty() ? tests : std::string();
      for (const auto& block : blocks) *written_tests_ += block + "\n";
    }
    // Multiple choice draws no samples: its candidates are the choices.
    if (o_.mode == qa::QuestionMode::candidates && qa::candidate_kind(prompts_) != qa::CandidateKind::choice)
      majority(p, row);
    for (auto mode : o_.oracles)
      row["configs"][std::string("qa/") + qa::to_string(mode)] =
          run_config(p, *reference_oracle(p, mode), nullptr, &row);
    row["configs"]["control"] = run_config(p, *qa::make_self_oracle(slm_.model().name()), nullptr, nullptr);
    if (o_.qa_plus && o_.mode != qa::QuestionMode::candidates)  // candidates mode writes no questions
      row["configs"][std::string("qa+/") + qa::to_string(o_.oracles.front())] =
          run_config(p, *reference_oracle(p, o_.oracles.front()), &questioner_, nullptr);
    return row;
  }

 private:
  static constexpr uint32_t kCapacity = 4096;

  std::unique_ptr<qa::Oracle> reference_oracle(const Problem& p, qa::OracleMode mode) {
    auto words = qa::make_reference_oracle(std::make_unique<CachedBackend>(*llm_backend_, llm_memory_), prompts_, mode,
                                           o_.max_tokens);
    if (written_tests_)
      return std::make_unique<ProgramRunOracle>(std::move(words), p.code_prefix, p.shown_tests, *written_tests_);
    if (!letter_) return words;
    return std::make_unique<ChoiceLetterOracle>(std::move(words),
                                                mode == qa::OracleMode::gold_reference ? p.answer.at(0) : letter_);
  }

  // Candidates mode: the SLM's most frequent answer among its largest set of solutions, with no
  // question asked (self-consistency): what sampling alone gives, beside the control. On code with a
  // shown test, also the first of those programs that passes it (the SLM could run it itself).
  void majority(const Problem& p, nlohmann::json& row) {
    qa::Settings s = settings_;
    s.questions = *n_set_.rbegin();
    const std::string first = qa::attempt(slm_, prompts_, s, p.question);
    const auto groups = qa::group_candidates(qa::candidate_solutions(slm_, prompts_, s, p.question, first),
                                             qa::candidate_kind(prompts_));
    row["slm_majority"] = graded(p, groups.empty() ? first : groups.front().solution);
    row["slm_majority"]["groups"] = groups.size();
    if (p.kind != AnswerKind::code || p.shown_tests.empty()) return;
    Problem shown = p;
    shown.tests = p.shown_tests;
    auto passing = std::find_if(groups.begin(), groups.end(),
                                [&](const qa::CandidateGroup& g) { return grade(shown, g.solution).correct; });
    row["slm_shown_test"] = graded(p, passing == groups.end() ? first : passing->solution);
    row["slm_shown_test"]["passing"] = passing != groups.end();
  }

  // One configuration at every N. Sequential questions do not depend on N, so one run with the
  // largest N is revised after each N asked; batch questions do, so each N is a run of its own.
  nlohmann::json run_config(const Problem& p, qa::Oracle& oracle, detail::Generator* questioner, nlohmann::json* row) {
    nlohmann::json out;
    const Stopwatch watch;
    const double llm_before = llm_memory_.seconds;
    auto score = [&](uint32_t n, const std::string& answer, const qa::AnswerCoder& coder, size_t asked) {
      qa::AnswerCoder copy = coder;  // finishing a copy gives the exact coded size at this point
      nlohmann::json j = graded(p, answer);
      j["asked"] = asked;
      j["cost_bits"] = coder.cost_bits();
      j["coded_bits"] = asked ? 8 * copy.finish().size() : 0;
      out["by_n"][std::to_string(n)] = j;
    };
    auto run = [&](uint32_t n, bool checkpoints) {
      qa::Settings s = settings_;
      s.questions = n;
      qa::AnswerCoder coder;
      qa::OracleChannel channel(oracle, p.question, p.answer);
      std::vector<qa::Turn> turns;
      std::string attempt;
      qa::Observer observer;
      observer.on_attempt = [&](const std::string& a) { attempt = a; };
      observer.on_turn = [&](const qa::Turn& t) {
        turns.push_back(t);
        if (checkpoints && n_set_.count(uint32_t(turns.size())) && turns.size() < n)
          score(uint32_t(turns.size()), qa::revise(slm_, prompts_, s, p.question, attempt, turns), coder, turns.size());
      };
      const auto t = qa::run_protocol(slm_, prompts_, s, p.question, channel, coder, observer, questioner);
      for (uint32_t k : n_set_)
        if (k <= n && (!checkpoints || k >= t.turns.size()) && !out["by_n"].contains(std::to_string(k)))
          score(k, t.final_answer, coder, t.turns.size());
      return t;
    };
    qa::Transcript last;
    if (o_.mode == qa::QuestionMode::sequential) {
      last = run(*n_set_.rbegin(), true);
    } else {
      for (uint32_t n : n_set_) last = run(n, false);
    }
    if (row && !row->contains("slm")) {  // the first attempt is the SLM's answer alone
      (*row)["slm"] = graded(p, last.attempt);
      (*row)["slm"]["reply"] = last.attempt;
    }
    out["seconds"] = watch.seconds();
    out["oracle_llm_seconds"] = llm_memory_.seconds - llm_before;
    out["unclear_answers"] = oracle.unclear_answers();
    if (const auto* runs = dynamic_cast<const ProgramRunOracle*>(&oracle))
      out["program_runs"] = {{"runs", runs->counts().runs},
                             {"shown", runs->counts().shown},
                             {"words", runs->counts().words},
                             {"yes", runs->counts().yes}};
    if (const auto* letters = dynamic_cast<const ChoiceLetterOracle*>(&oracle)) {
      const auto& c = letters->counts();
      out["letter_answers"] = {
          {"answers", c.answers}, {"words_agreed", c.agreed}, {"yes", c.yes}, {"yes_words_agreed", c.yes_agreed}};
    }
    out["final_answer"] = last.final_answer;
    for (const auto& t : last.turns)
      out["turns"].push_back({{"q", t.question}, {"yes", t.yes}, {"slm_yes", t.slm_yes}});
    return out;
  }

  const QaEvalOptions& o_;
  const qa::Prompts& prompts_;
  qa::Settings settings_;
  std::set<uint32_t> n_set_;
  detail::Generator slm_, questioner_;
  std::unique_ptr<qa::ChatBackend> llm_backend_;
  const detail::LoadedModel& llm_model_;
  LlmMemory llm_memory_;
  char letter_ = 0;  // the base LLM's ranked answer to this problem (0: the LLM is asked in words)
  std::optional<std::string> written_tests_;  // code with run_programs: the LLM's tests (program_run_oracle.h)
};

nlohmann::json run_settings(const QaEvalModels& m, const QaEvalOptions& o) {
  std::vector<std::string> oracles;
  for (auto mode : o.oracles) oracles.push_back(qa::to_string(mode));
  const auto& prompts = o.prompts;
  nlohmann::json llm = {
      {"name", m.llm.name()}, {"fingerprint", m.llm.fingerprint()}, {"vocab", detail::loaded_model(m.llm).n_vocab()}};
  if (!detail::loaded_model(m.llm).has_chat_template())
    llm["base_model"] = true;  // only then: rows of other LLMs are as before
  nlohmann::json settings = {{"benchmark", o.benchmark},
                             {"slm", {{"name", m.slm.name()}, {"fingerprint", m.slm.fingerprint()}}},
                             {"llm", llm},
                             {"prompts", {{"version", prompts.version}, {"hash", prompts.hash}}},
                             {"protocol", qa::kQaProtocolVersion},
                             {"n_values", o.n_values},
                             {"mode", qa::to_string(o.mode)},
                             {"oracles", oracles},
                             {"qa_plus", o.qa_plus},
                             {"baselines_only", o.baselines_only},
                             {"seed", o.seed},
                             {"max_tokens", o.max_tokens}};
  if (o.run_programs) settings["oracle_runs_programs"] = true;  // only then: other rows are as before
  return settings;
}

}  // namespace

void run_qa_eval(const QaEvalModels& models, const QaEvalOptions& options,
                 const std::function<void(size_t, size_t)>& progress) {
  if (options.n_values.empty() || options.oracles.empty())
    fail(ErrorCode::usage, "eval qa: no N values or no oracle modes");
  qa::check_prompts_for(options.prompts, options.mode);
  for (uint32_t n : options.n_values)
    if (n == 0 || n > qa::kMaxQuestions)
      fail(ErrorCode::usage, "eval qa: every N must be between 1 and " + std::to_string(qa::kMaxQuestions));
  auto problems = load_benchmark(options.benchmark, options.data_dir, options.seed);
  if (problems.size() > options.limit) problems.resize(options.limit);
  const nlohmann::json settings = run_settings(models, options);
  const bool programs =
      options.mode == qa::QuestionMode::candidates && qa::candidate_kind(options.prompts) == qa::CandidateKind::program;
  if (options.run_programs && !(programs && answers_are(problems, AnswerKind::code)))
    fail(ErrorCode::usage, "eval qa: --run-programs needs candidates mode on a code benchmark");

  ResultsFile results(options.results, options.resume, settings);
  run_problems(
      problems, results, options.jobs,
      [&]() -> SolveProblem {
        auto runner = std::make_shared<Runner>(models, options);
        return [runner, &settings, programs](const Problem& p) {
          nlohmann::json row = runner->problem(p);
          if (programs) grade_asked_programs(row, p);
          row["settings"] = settings;
          return row;
        };
      },
      progress);
}

}  // namespace llmz::eval
