// The QA protocol with real evaluation: the receiver rebuilds the sender's transcript bit for bit
// (tiny random models and the real SmolLM2), across thread counts, and refuses what does not match.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "llmz/qa.h"
#include "qa/answer_coder.h"
#include "qa/answers.h"
#include "qa/qa_file.h"
#include "test_models.h"

namespace llmz::qa {
namespace {

using test::cached_model;

const std::string kProblem = "Tom has 3 apples and buys 4 more. How many apples does he have?";

Settings small_settings(QuestionMode mode) {
  Settings s;
  s.mode = mode;
  s.questions = 5;
  s.max_attempt_tokens = 24;
  s.max_question_tokens = 12;
  s.context_tokens = 1024;
  return s;
}

Encoded encode_with_local_oracle(const Model& slm, const Model& llm, const Settings& s, OracleMode mode,
                                 const std::string& problem = kProblem) {
  auto oracle = mode == OracleMode::self
                    ? make_self_oracle(slm.name())
                    : make_model_oracle(llm, default_prompts(), {mode, 24, UnclearPolicy::no, 1024});
  return encode(slm, *oracle, default_prompts(), s, problem, "7");
}

void expect_same(const Transcript& a, const Transcript& b) {
  EXPECT_EQ(a.attempt, b.attempt);
  ASSERT_EQ(a.turns.size(), b.turns.size());
  for (size_t i = 0; i < a.turns.size(); i++) {
    EXPECT_EQ(a.turns[i].question, b.turns[i].question);
    EXPECT_EQ(a.turns[i].yes, b.turns[i].yes);
    EXPECT_EQ(a.turns[i].slm_yes, b.turns[i].slm_yes);
  }
  EXPECT_EQ(a.final_answer, b.final_answer);
  EXPECT_DOUBLE_EQ(a.cost_bits, b.cost_bits);
}

class QaRoundTrip : public ::testing::TestWithParam<std::tuple<QuestionMode, OracleMode>> {};

TEST_P(QaRoundTrip, ReceiverRebuildsTheTranscriptWithOtherThreadCounts) {
  const auto [qmode, omode] = GetParam();
  const Model& slm = cached_model(test::tiny_model_path(), 2);
  const Model& llm = cached_model(test::other_tiny_model_path(), 2);
  const Settings s = small_settings(qmode);
  const Encoded enc = encode_with_local_oracle(slm, llm, s, omode);
  EXPECT_FALSE(enc.transcript.attempt.empty());
  EXPECT_LE(enc.transcript.turns.size(), s.questions);
  EXPECT_LE(enc.transcript.cost_bits, double(enc.transcript.turns.size()) + 1.01);
  for (int threads : {1, 2, 3}) {
    const Transcript dec =
        decode(cached_model(test::tiny_model_path(), threads), default_prompts(), enc.file, kProblem);
    expect_same(enc.transcript, dec);
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, QaRoundTrip,
                         ::testing::Combine(::testing::Values(QuestionMode::sequential, QuestionMode::batch),
                                            ::testing::Values(OracleMode::own_reference, OracleMode::gold_reference,
                                                              OracleMode::self)));

TEST(QaDecode, RefusesAnotherSlmAnotherProblemAndOtherPrompts) {
  const Model& slm = cached_model(test::tiny_model_path());
  const Model& other = cached_model(test::other_tiny_model_path());
  const Encoded enc = encode_with_local_oracle(slm, other, small_settings(QuestionMode::sequential), OracleMode::self);
  auto code_of = [&](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::ok;
  };
  EXPECT_EQ(code_of([&] { decode(other, default_prompts(), enc.file, kProblem); }), ErrorCode::model);
  EXPECT_EQ(code_of([&] { decode(slm, default_prompts(), enc.file, kProblem + " "); }), ErrorCode::usage);
  Prompts changed = default_prompts();
  changed.hash ^= 1;
  EXPECT_EQ(code_of([&] { decode(slm, changed, enc.file, kProblem); }), ErrorCode::usage);
}

TEST(QaDecode, OtherAnswerBitsWithValidChecksumsAreCaught) {
  const Model& slm = cached_model(test::tiny_model_path());
  const Model& llm = cached_model(test::other_tiny_model_path());
  const Encoded enc =
      encode_with_local_oracle(slm, llm, small_settings(QuestionMode::sequential), OracleMode::own_reference);
  QaHeader h = read_qa_file(enc.file);
  ASSERT_GT(h.answers, 0u);
  // Every answer flipped: re-coded bits that are consistent with the file's own checksums.
  AnswerCoder flipped;
  for (const auto& t : enc.transcript.turns) flipped.encode(!t.yes, t.slm_yes);
  h.payload = flipped.finish();
  EXPECT_THROW(decode(slm, default_prompts(), write_qa_file(h), kProblem), Error);
}

// The multiple-choice prompts: every question names a listed choice ({choice}), no choice twice, so
// the SLM runs out of questions after four however many it may ask; the revision is one choice's line
// ({choice_line}); the receiver rebuilds it all.
TEST(QaChoicePrompts, QuestionsAndRevisionNameListedChoices) {
  const std::string problem =
      "A. is the first letter; not a choice.\nWhich of these is a planet?\n\nA. the Moon\nB. Mars\nC. the Sun\nD. a "
      "comet\n\nAnswer with the letter of the correct choice.";
  const Model& slm = cached_model(test::real_model_path(), 2);
  Settings s = small_settings(QuestionMode::sequential);
  s.questions = 10;
  s.max_attempt_tokens = 32;
  const Prompts& prompts = choice_prompts();
  const Model& llm = cached_model(test::other_tiny_model_path(), 2);  // no chat template: answers " Yes"/" No"
  auto oracle = make_model_oracle(llm, prompts, {OracleMode::gold_reference, 24, UnclearPolicy::no, 2048});
  const Encoded enc = encode(slm, *oracle, prompts, s, problem, "B");
  ASSERT_GE(enc.transcript.turns.size(), 1u);
  EXPECT_LE(enc.transcript.turns.size(), 4u);
  std::set<char> letters;
  for (const auto& t : enc.transcript.turns) {
    ASSERT_EQ(t.question.rfind("Is choice ", 0), 0u) << t.question;
    const char l = t.question[10];
    EXPECT_TRUE(l >= 'A' && l <= 'D') << t.question;
    EXPECT_EQ(t.question.substr(11), " correct?") << t.question;
    letters.insert(l);
  }
  EXPECT_EQ(letters.size(), enc.transcript.turns.size());
  const std::vector<std::string> answers = {"The correct answer is A. the Moon", "The correct answer is B. Mars",
                                            "The correct answer is C. the Sun", "The correct answer is D. a comet"};
  EXPECT_NE(std::find(answers.begin(), answers.end(), enc.transcript.final_answer), answers.end())
      << enc.transcript.final_answer;
  expect_same(enc.transcript, decode(cached_model(test::real_model_path(), 1), prompts, enc.file, problem));
  // Prompts that name a choice need a problem that lists them.
  try {
    encode(slm, *oracle, prompts, s, kProblem, "7");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::usage);
  }
}

TEST(QaRealModel, SmolLM2RoundTrip) {
  const Model& slm = cached_model(test::real_model_path(), 2);
  Settings s = small_settings(QuestionMode::sequential);
  s.questions = 3;
  s.max_attempt_tokens = 48;
  s.max_question_tokens = 24;
  const Encoded enc = encode_with_local_oracle(slm, slm, s, OracleMode::own_reference);
  EXPECT_GT(enc.transcript.turns.size(), 0u);
  const Transcript dec = decode(cached_model(test::real_model_path(), 1), default_prompts(), enc.file, kProblem);
  expect_same(enc.transcript, dec);
  EXPECT_EQ(read_qa_file(enc.file).protocol, kOldestQaProtocolVersion);  // older builds read it
}

// Candidates mode with the real SmolLM2: every question names a distinct final answer of its samples,
// the transcript stops at the first yes (then the final answer is that answer's solution), and the
// receiver, on one thread, rebuilds it all, samples included.
TEST(QaRealModel, CandidatesAskAboutDistinctAnswersUntilOneIsConfirmed) {
  const Model& slm = cached_model(test::real_model_path(), 2);
  Settings s = small_settings(QuestionMode::candidates);
  s.questions = 6;
  s.max_attempt_tokens = 48;
  const Prompts& prompts = candidate_prompts();
  for (OracleMode mode : {OracleMode::gold_reference, OracleMode::self}) {
    auto oracle = mode == OracleMode::self ? make_self_oracle(slm.name())
                                           : make_model_oracle(slm, prompts, {mode, 24, UnclearPolicy::no, 1024});
    const Encoded enc = encode(slm, *oracle, prompts, s, kProblem, "7");
    const auto& turns = enc.transcript.turns;
    ASSERT_GE(turns.size(), 1u);
    std::set<std::string> asked;
    for (size_t i = 0; i < turns.size(); i++) {
      const std::string& q = turns[i].question;
      ASSERT_EQ(q.rfind("Is the correct final answer to the problem ", 0), 0u) << q;
      asked.insert(q);
      EXPECT_EQ(turns[i].yes, i + 1 == turns.size() && turns[i].yes) << "asked on after a yes";
    }
    EXPECT_EQ(asked.size(), turns.size());
    if (turns.back().yes) {
      const std::string answer = turns.back().question.substr(43, turns.back().question.size() - 44);
      EXPECT_NE(enc.transcript.final_answer.find(answer), std::string::npos) << enc.transcript.final_answer;
    }
    expect_same(enc.transcript, decode(cached_model(test::real_model_path(), 1), prompts, enc.file, kProblem));
    EXPECT_EQ(read_qa_file(enc.file).protocol, kQaProtocolVersion);
  }
}

// Says yes to one question only, and remembers what it was asked.
class ScriptedOracle : public Oracle {
 public:
  explicit ScriptedOracle(std::string yes_to) : yes_to_(std::move(yes_to)) {}
  OracleMode mode() const override { return OracleMode::gold_reference; }
  void begin(const Task&) override {}
  bool answer(const Question& q) override {
    asked.push_back(q.text);
    return q.text == yes_to_;
  }
  std::string name() const override { return "scripted"; }
  std::vector<std::string> asked;

 private:
  std::string yes_to_;
};

// Candidates mode on multiple choice: the questions name the problem's choices, each once, the one
// the attempt names first; the first yes is the answer, a rejected choice never is, and the last one
// left is the answer without a question. The receiver, on one thread, rebuilds it all.
TEST(QaRoundTrip, CandidatesOnMultipleChoiceAskAboutTheChoices) {
  const Model& slm = cached_model(test::tiny_model_path(), 2);
  const std::string problem = "Which of these is a mammal?\n\nA. shark\nB. whale\nC. trout\nD. eel";
  const Prompts& prompts = candidate_choice_prompts();
  Settings s = small_settings(QuestionMode::candidates);
  auto letter_of = [](const std::string& q) { return q.substr(10, 1); };  // "Is choice B correct?"
  for (const auto& [questions, yes_to] : std::vector<std::pair<uint32_t, std::string>>{
           {10, ""}, {1, ""}, {10, "Is choice B correct?"}, {10, "Is choice D correct?"}}) {
    s.questions = questions;
    ScriptedOracle oracle(yes_to);
    const Encoded enc = encode(slm, oracle, prompts, s, problem, "B");
    const Transcript& t = enc.transcript;
    std::set<std::string> letters;
    for (const auto& turn : t.turns) {
      ASSERT_EQ(turn.question.rfind("Is choice ", 0), 0u) << turn.question;
      letters.insert(letter_of(turn.question));
      EXPECT_EQ(turn.yes, turn.question == yes_to);
    }
    EXPECT_EQ(letters.size(), t.turns.size()) << "a choice asked twice";
    const auto named = extract_choice(t.attempt);
    if (named && std::string("ABCD").find(*named) != std::string::npos && !t.turns.empty())
      EXPECT_EQ(letter_of(t.turns[0].question), *named);
    ASSERT_EQ(t.final_answer.rfind("The correct answer is ", 0), 0u) << t.final_answer;
    const std::string answer = t.final_answer.substr(22, 1);
    EXPECT_EQ(extract_choice(t.final_answer), answer);  // what eval grades
    if (letters.count(answer)) EXPECT_EQ(t.turns.back().question, yes_to) << "the answer was rejected";
    if (questions == 1) {
      EXPECT_EQ(t.turns.size(), 1u);
    } else if (yes_to.empty()) {
      EXPECT_EQ(t.turns.size(), 3u);  // the fourth choice is left without a question
      EXPECT_EQ(letters.count(answer), 0u);
    } else {
      EXPECT_EQ(answer, letter_of(yes_to));
    }
    expect_same(t, decode(cached_model(test::tiny_model_path(), 1), prompts, enc.file, problem));
  }
}

}  // namespace
}  // namespace llmz::qa
