#include "qa/protocol.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "common/error.h"
#include "common/text.h"
#include "qa/local_backend.h"

namespace llmz::qa {

const char* to_string(QuestionMode m) { return m == QuestionMode::batch ? "batch" : "sequential"; }

QuestionMode parse_question_mode(const std::string& s) {
  if (s == "batch") return QuestionMode::batch;
  if (s == "sequential") return QuestionMode::sequential;
  fail(ErrorCode::usage, "unknown question mode '" + s + "' (batch or sequential)");
}

bool OracleChannel::answer(const Question& q, AnswerCoder& coder) {
  const bool yes = oracle_.answer(q);
  coder.encode(yes, q.slm_yes);
  return yes;
}

bool DecodingChannel::answer(const Question& q, AnswerCoder& coder) {
  const bool yes = coder.decode(q.slm_yes);
  if (coder.overran()) fail(ErrorCode::corrupt, "file is damaged (answer bits end too early)");
  return yes;
}

namespace {

// "3. Is x even?", "Q3: Is x even?", "- Is x even?" -> "Is x even?"
std::string strip_numbering(std::string line) {
  line = trim(line);
  size_t i = 0;
  if (i < line.size() && (line[i] == '-' || line[i] == '*')) i++;
  if (i < line.size() && (line[i] == 'Q' || line[i] == 'q') && i + 1 < line.size() &&
      std::isdigit(static_cast<unsigned char>(line[i + 1])))
    i++;
  size_t digits = i;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) digits++;
  if (digits > i && digits < line.size() && (line[digits] == '.' || line[digits] == ')' || line[digits] == ':'))
    i = digits + 1;
  return trim(line.substr(i));
}

// The greedy one-line continuation of prompt whose first token is the likeliest one not in `banned`.
std::pair<llama_token, std::string> next_question(detail::Generator& writer, std::vector<llama_token> prompt,
                                                  uint32_t max_tokens, std::span<const llama_token> banned) {
  const auto logits = writer.logits_after(prompt);
  llama_token first = -1;
  for (size_t i = 0; i < logits.size(); i++)
    if (std::find(banned.begin(), banned.end(), llama_token(i)) == banned.end() &&
        (first < 0 || logits[i] > logits[size_t(first)]))
      first = llama_token(i);
  const auto& model = writer.model();
  if (first < 0 || model.ends_generation(first)) return {first, ""};
  const std::string piece = model.piece(first);
  if (piece.find('\n') != std::string::npos && piece.find_first_not_of(" \t\n") < piece.find('\n'))
    return {first, piece.substr(0, piece.find('\n'))};  // one line, already complete
  prompt.push_back(first);
  return {first, piece + (max_tokens > 1 ? writer.greedy(std::move(prompt), max_tokens - 1, /*single_line=*/true) : "")};
}

}  // namespace

std::vector<std::string> parse_questions(const std::string& text, uint32_t n) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size() && out.size() < n) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string q = strip_numbering(text.substr(start, end - start));
    if (!q.empty()) out.push_back(std::move(q));
    start = end + 1;
  }
  return out;
}

std::string format_transcript(const std::vector<Turn>& turns) {
  if (turns.empty()) return "(none)\n";
  std::string s;
  for (size_t i = 0; i < turns.size(); i++) {
    const std::string k = std::to_string(i + 1);
    s += "Q" + k + ": " + turns[i].question + "\nA" + k + ": " + (turns[i].yes ? "Yes" : "No") + "\n";
  }
  return s;
}

std::string attempt(detail::Generator& slm, const Prompts& prompts, const Settings& settings, const std::string& problem) {
  return trim(slm.greedy(slm.model().chat_tokens(fill(prompts.attempt, {{"problem", problem}})), settings.max_attempt_tokens));
}

std::string revise(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                   const std::string& problem, const std::string& attempt, const std::vector<Turn>& turns) {
  const std::string prompt = fill(prompts.revision, {{"problem", problem},
                                                     {"attempt", attempt},
                                                     {"transcript", format_transcript(turns)}});
  return trim(prompts.revision_prefix +
              slm.greedy(slm.model().chat_tokens(prompt, prompts.revision_prefix), settings.max_attempt_tokens));
}

Transcript run_protocol(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                        const std::string& problem, Channel& channel, AnswerCoder& coder, const Observer& observer,
                        detail::Generator* questioner) {
  detail::Generator& writer = questioner ? *questioner : slm;
  if (settings.questions > kMaxQuestions)
    fail(ErrorCode::usage, "at most " + std::to_string(kMaxQuestions) + " questions");
  const auto& model = slm.model();
  const YesNoTokens yes_no = YesNoTokens::of(model);
  Transcript t;
  t.attempt = attempt(slm, prompts, settings, problem);
  if (observer.on_attempt) observer.on_attempt(t.attempt);
  channel.attempt_ready(t.attempt);

  auto ask = [&](const std::string& question) {
    const std::string prompt = fill(prompts.answer, {{"problem", problem},
                                                     {"attempt", t.attempt},
                                                     {"transcript", format_transcript(t.turns)},
                                                     {"question", question}});
    const auto logits = slm.logits_after(model.chat_tokens(prompt));
    Turn turn{question, false, yes_frequency(logits[size_t(yes_no.yes)], logits[size_t(yes_no.no)]), 0};
    turn.coded_yes = coder.mixed_yes(turn.slm_yes);
    turn.yes = channel.answer({question, turn.slm_yes}, coder);
    t.turns.push_back(turn);
    if (observer.on_turn) observer.on_turn(turn);
  };

  auto asked = [&](const std::string& q) {
    return std::any_of(t.turns.begin(), t.turns.end(), [&](const Turn& turn) { return turn.question == q; });
  };

  if (settings.mode == QuestionMode::batch) {
    const std::string text = writer.greedy(
        writer.model().chat_tokens(fill(prompts.questions_batch, {{"problem", problem},
                                                         {"attempt", t.attempt},
                                                         {"n", std::to_string(settings.questions)}})),
        settings.max_question_tokens * settings.questions);
    for (const auto& q : parse_questions(text, settings.questions))
      if (!asked(q)) ask(q);
  } else {
    std::vector<llama_token> starts;  // the first token of each question asked
    for (uint32_t k = 0; k < settings.questions; k++) {
      const auto prompt = writer.model().chat_tokens(fill(prompts.question_next, {{"problem", problem},
                                                                                  {"attempt", t.attempt},
                                                                                  {"transcript", format_transcript(t.turns)}}),
                                                     prompts.question_prefix);
      std::string text = writer.greedy(prompt, settings.max_question_tokens, /*single_line=*/true);
      llama_token first = detail::argmax(writer.logits_after(prompt));
      auto q = parse_questions(prompts.question_prefix + text, 1);
      if (q.empty() || asked(q[0])) {
        // Greedy decoding would only repeat itself: once more, starting with the likeliest token that
        // neither this reply nor an earlier question started with. If that is empty or a repeat too,
        // both ends stop asking.
        std::vector<llama_token> banned = starts;
        banned.push_back(first);
        std::tie(first, text) = next_question(writer, prompt, settings.max_question_tokens, banned);
        q = parse_questions(prompts.question_prefix + text, 1);
        if (q.empty() || asked(q[0])) break;
      }
      starts.push_back(first);
      ask(q[0]);
    }
  }
  t.final_answer = revise(slm, prompts, settings, problem, t.attempt, t.turns);
  t.cost_bits = coder.cost_bits();
  return t;
}

}  // namespace llmz::qa
