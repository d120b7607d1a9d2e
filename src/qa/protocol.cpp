#include "qa/protocol.h"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <tuple>
#include <utility>

#include "common/error.h"
#include "common/text.h"
#include "qa/answers.h"
#include "qa/candidates.h"
#include "qa/local_backend.h"

namespace llmz::qa {

const char* to_string(QuestionMode m) {
  switch (m) {
    case QuestionMode::batch:
      return "batch";
    case QuestionMode::sequential:
      return "sequential";
    case QuestionMode::candidates:
      return "candidates";
  }
  return "?";
}

QuestionMode parse_question_mode(const std::string& s) {
  if (s == "batch") return QuestionMode::batch;
  if (s == "sequential") return QuestionMode::sequential;
  if (s == "candidates") return QuestionMode::candidates;
  fail(ErrorCode::usage, "unknown question mode '" + s + "' (batch, sequential or candidates)");
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
  return {first,
          piece + (max_tokens > 1 ? writer.greedy(std::move(prompt), max_tokens - 1, /*single_line=*/true) : "")};
}

// A reply prefix may hold {choice} or {choice_line} (prompts.h): there the model names one of the
// problem's choices, so that a small model picks a listed choice instead of numbering its own.
struct SplitPrefix {
  std::string before, after;  // the forced text around the placeholder; before is the whole prefix without one
  enum class Pick { none, letter, line } pick = Pick::none;
  bool spaced = false;  // the choice follows a space ("Is choice B"), which goes with the letter's token
  bool names_choice() const { return pick != Pick::none; }
};

SplitPrefix split_prefix(const std::string& prefix) {
  SplitPrefix s{prefix, "", SplitPrefix::Pick::none, false};
  for (auto [placeholder, pick] : {std::pair{kChoicePlaceholder, SplitPrefix::Pick::letter},
                                   std::pair{kChoiceLinePlaceholder, SplitPrefix::Pick::line}}) {
    const size_t at = prefix.find(placeholder);
    if (at == std::string::npos) continue;
    s = {prefix.substr(0, at), prefix.substr(at + std::string_view(placeholder).size()), pick, false};
    if (!s.before.empty() && s.before.back() == ' ') {
      s.before.pop_back();
      s.spaced = true;
    }
  }
  return s;
}

// The problem's choices: its last run of consecutive lines "A. ...", "B. ...", ... (so that a stem
// line such as "I. Plants ..." is not one), each as letter and text.
std::vector<std::pair<char, std::string>> choice_lines(const std::string& problem) {
  std::vector<std::pair<char, std::string>> run, last;
  for (size_t at = 0, nl = 0; at <= problem.size(); at = nl + 1) {
    nl = std::min(problem.find('\n', at), problem.size());
    std::string line = problem.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto is_choice = [&](char letter) {
      return line.size() >= 3 && line[0] == letter && line[1] == '.' && line[2] == ' ';
    };
    const bool extends = !run.empty() && is_choice(char(run.back().first + 1));
    if (!extends && !run.empty()) last = std::exchange(run, {});
    if (extends || is_choice('A')) run.emplace_back(line[0], line.substr(3));
  }
  return run.empty() ? last : run;
}

// How likely the model finds `written` right after prompt, in log2 per byte (from the coder's integer
// tables, so both ends score alike).
double line_score(detail::Generator& writer, const std::vector<llama_token>& prompt, const std::string& written) {
  return double(writer.log2_likelihood(prompt, writer.model().tokenize(written, false))) / double(written.size());
}

// The problem's choices; fails if it lists none.
std::vector<std::pair<char, std::string>> listed_choices(const std::string& problem) {
  auto choices = choice_lines(problem);
  if (choices.empty())
    fail(ErrorCode::usage, "the prompts name a choice but the problem lists no lettered choices (\"A. ...\" lines)");
  return choices;
}

// A choice as the model writes it where the prefix names one: " B", or " B. <text>" for a line.
std::string written_choice(const SplitPrefix& split, char letter, const std::string& text) {
  return (split.spaced ? " " : "") + std::string(1, letter) + (text.empty() ? "" : ". " + text);
}

// After prompt (which ends with split.before): the choice the placeholder asks for among those whose
// letter token is not banned, then the forced text after it, then (letter picks) the greedy rest of
// the line. {choice} picks the letter the model scores highest; {choice_line} the choice whose whole
// line "C. <text>" the model finds likeliest per byte there, ending the reply (it draws on what the
// model knows of each option, where a small model's letters alone are mostly "A"; the text alone,
// as base models are scored, did worse after the revision prompt: docs/QA.md). Likelihoods come
// from the coder's integer tables, so both ends pick alike. Returns the letter's token (-1 when every letter
// is banned) and the text from the choice on.
std::pair<llama_token, std::string> continue_with_choice(detail::Generator& writer, std::vector<llama_token> prompt,
                                                         const SplitPrefix& split, const std::string& problem,
                                                         uint32_t max_tokens, std::span<const llama_token> banned) {
  const auto& model = writer.model();
  const auto options = listed_choices(problem);
  const bool line = split.pick == SplitPrefix::Pick::line;
  const std::vector<float> logits = line ? std::vector<float>{} : [&] {
    const auto l = writer.logits_after(prompt);
    return std::vector<float>(l.begin(), l.end());
  }();
  llama_token best = -1;
  double best_score = 0;
  std::string best_text;
  for (const auto& [letter, text] : options) {
    const auto letter_tokens = model.tokenize(written_choice(split, letter, ""), false);
    if (letter_tokens.size() != 1)
      fail(ErrorCode::model, model.path() + ": a choice letter is not one token of this tokenizer");
    const llama_token id = letter_tokens[0];
    if (std::find(banned.begin(), banned.end(), id) != banned.end()) continue;
    const std::string written = written_choice(split, letter, line ? text : "");
    const double score = line ? line_score(writer, prompt, written) : double(logits[size_t(id)]);
    if (best < 0 || score > best_score) std::tie(best, best_score, best_text) = std::tie(id, score, written);
  }
  if (best < 0 || line) return {best, best_text + split.after};
  prompt.push_back(best);
  const auto after = model.tokenize(split.after, false);
  prompt.insert(prompt.end(), after.begin(), after.end());
  const uint32_t used = uint32_t(1 + after.size());
  const std::string rest =
      max_tokens > used ? writer.greedy(std::move(prompt), max_tokens - used, /*single_line=*/true) : "";
  return {best, best_text + split.after + rest};
}

// Candidates mode on multiple choice: the problem's choices, the one the attempt names first, then
// the others by the SLM's likelihood of their line where the revision prefix names a choice, after
// the attempt prompt (ties in the problem's order).
struct RankedChoice {
  char letter;
  std::string written;  // as written_choice() writes its line
};
std::vector<RankedChoice> ranked_choices(detail::Generator& slm, const Prompts& prompts, const SplitPrefix& split,
                                         const std::string& problem, const std::string& attempt) {
  const auto choices = listed_choices(problem);
  const auto prompt = slm.model().chat_tokens(fill(prompts.attempt, {{"problem", problem}}), split.before);
  const auto named = extract_choice(attempt);
  std::vector<RankedChoice> listed;
  std::vector<std::tuple<bool, double, size_t>> order;  // (not the attempt's, -score, position)
  for (const auto& [letter, text] : choices) {
    listed.push_back({letter, written_choice(split, letter, text)});
    order.emplace_back(named != std::string(1, letter), -line_score(slm, prompt, listed.back().written), order.size());
  }
  std::sort(order.begin(), order.end());
  std::vector<RankedChoice> out;
  for (const auto& [ignored, score, i] : order) out.push_back(listed[i]);
  return out;
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

std::string attempt(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                    const std::string& problem) {
  return trim(
      slm.greedy(slm.model().chat_tokens(fill(prompts.attempt, {{"problem", problem}})), settings.max_attempt_tokens));
}

std::string revise(detail::Generator& slm, const Prompts& prompts, const Settings& settings, const std::string& problem,
                   const std::string& attempt, const std::vector<Turn>& turns) {
  const std::string prompt =
      fill(prompts.revision, {{"problem", problem}, {"attempt", attempt}, {"transcript", format_transcript(turns)}});
  const SplitPrefix split = split_prefix(prompts.revision_prefix);
  const auto tokens = slm.model().chat_tokens(prompt, split.before);
  return trim(split.before +
              (split.names_choice()
                   ? continue_with_choice(slm, tokens, split, problem, settings.max_attempt_tokens, {}).second
                   : slm.greedy(tokens, settings.max_attempt_tokens)));
}

uint32_t slm_slots(const Prompts& prompts, const Settings& settings) {
  const bool samples = settings.mode == QuestionMode::candidates && candidate_kind(prompts) != CandidateKind::choice &&
                       settings.questions > 1;
  return detail::Generator::slots_side_by_side(samples ? settings.questions - 1 : 0, settings.context_tokens);
}

std::vector<std::string> candidate_solutions(detail::Generator& slm, const Prompts& prompts, const Settings& settings,
                                             const std::string& problem, const std::string& attempt) {
  std::vector<std::string> out = {attempt};
  const auto prompt = slm.model().chat_tokens(fill(prompts.attempt, {{"problem", problem}}));
  const uint64_t seed = XXH3_64bits(problem.data(), problem.size());
  std::vector<uint64_t> seeds;
  for (uint32_t k = 1; k < settings.questions; k++) seeds.push_back(seed + k);
  for (const auto& solution : slm.sample(prompt, settings.max_attempt_tokens, kCandidateTemperature, seeds))
    out.push_back(trim(solution));
  return out;
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

  auto answer_prompt = [&](const std::string& question) {
    return model.chat_tokens(fill(prompts.answer, {{"problem", problem},
                                                   {"attempt", t.attempt},
                                                   {"transcript", format_transcript(t.turns)},
                                                   {"question", question}}));
  };
  auto ask = [&](const std::string& question) {
    const auto logits = slm.logits_after(answer_prompt(question));
    Turn turn{question, false, yes_frequency(logits[size_t(yes_no.yes)], logits[size_t(yes_no.no)]), 0};
    turn.coded_yes = coder.mixed_yes(turn.slm_yes);
    turn.yes = channel.answer({question, turn.slm_yes}, coder);
    t.turns.push_back(turn);
    if (observer.on_turn) observer.on_turn(turn);
  };

  auto asked = [&](const std::string& q) {
    return std::any_of(t.turns.begin(), t.turns.end(), [&](const Turn& turn) { return turn.question == q; });
  };

  if (settings.mode == QuestionMode::candidates && candidate_kind(prompts) == CandidateKind::choice) {
    // Questions name one short choice each, so the transcript stays short (no context check needed).
    const SplitPrefix split = split_prefix(prompts.revision_prefix);
    auto left = ranked_choices(slm, prompts, split, problem, t.attempt);
    // A rejected choice is never the answer: when one is left, it is the answer without a question.
    while (left.size() > 1 && t.turns.size() < settings.questions) {
      ask(fill(prompts.candidate_question, {{"answer", std::string(1, left.front().letter)}}));
      if (t.turns.back().yes) break;
      left.erase(left.begin());
    }
    t.final_answer = trim(split.before + left.front().written + split.after);
  } else if (settings.mode == QuestionMode::candidates) {
    for (const auto& group :
         group_candidates(candidate_solutions(slm, prompts, settings, problem, t.attempt), candidate_kind(prompts))) {
      const std::string question = fill(prompts.candidate_question, {{"answer", group.answer}});
      // Questions that quote whole programs fill the SLM's conversations: asking stops while the
      // prompt holding them all still leaves half the context for the revision's prompt and reply.
      if (t.turns.size() == settings.questions || 2 * answer_prompt(question).size() > settings.context_tokens) break;
      ask(question);
      if (t.turns.back().yes) {
        t.final_answer = group.solution;
        break;
      }
    }
  } else if (settings.mode == QuestionMode::batch) {
    const std::string text =
        writer.greedy(writer.model().chat_tokens(fill(
                          prompts.questions_batch,
                          {{"problem", problem}, {"attempt", t.attempt}, {"n", std::to_string(settings.questions)}})),
                      settings.max_question_tokens * settings.questions);
    for (const auto& q : parse_questions(text, settings.questions))
      if (!asked(q)) ask(q);
  } else {
    const SplitPrefix split = split_prefix(prompts.question_prefix);
    std::vector<llama_token> starts;  // the first token (or choice letter) of each question asked
    for (uint32_t k = 0; k < settings.questions; k++) {
      const auto prompt = writer.model().chat_tokens(
          fill(prompts.question_next,
               {{"problem", problem}, {"attempt", t.attempt}, {"transcript", format_transcript(t.turns)}}),
          split.before);
      auto write = [&](std::span<const llama_token> banned) {
        return split.names_choice()
                   ? continue_with_choice(writer, prompt, split, problem, settings.max_question_tokens, banned)
                   : next_question(writer, prompt, settings.max_question_tokens, banned);
      };
      llama_token first;
      std::string text;
      if (split.names_choice()) {
        std::tie(first, text) = write(starts);  // a choice asked about before is not asked again
        if (first < 0) break;
      } else {
        text = writer.greedy(prompt, settings.max_question_tokens, /*single_line=*/true);
        first = detail::argmax(writer.logits_after(prompt));
      }
      auto q = parse_questions(split.before + text, 1);
      if (q.empty() || asked(q[0])) {
        // Greedy decoding would only repeat itself: once more, starting with the likeliest token (or
        // choice letter) that neither this reply nor an earlier question started with. If that is
        // empty or a repeat too, both ends stop asking.
        std::vector<llama_token> banned = starts;
        banned.push_back(first);
        std::tie(first, text) = write(banned);
        q = parse_questions(split.before + text, 1);
        if (first < 0 || q.empty() || asked(q[0])) break;
      }
      starts.push_back(first);
      ask(q[0]);
    }
  }
  if (t.final_answer.empty()) t.final_answer = revise(slm, prompts, settings, problem, t.attempt, t.turns);
  t.cost_bits = coder.cost_bits();
  return t;
}

}  // namespace llmz::qa
