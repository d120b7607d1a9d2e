// The QA protocol's model-free parts: answer coding and its N + 1 bound, reply and question parsing,
// prompt templates, and the .qa file's checks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/error.h"
#include "default_prompts.h"  // the built-in prompt files
#include "qa/answer_coder.h"
#include "qa/candidates.h"
#include "qa/oracle.h"
#include "qa/protocol.h"
#include "qa/qa_file.h"

namespace llmz::qa {
namespace {

struct Coded {
  std::vector<uint8_t> payload;
  double cost;
};

Coded code(const std::vector<bool>& bits, const std::vector<uint32_t>& slm) {
  AnswerCoder enc;
  for (size_t i = 0; i < bits.size(); i++) enc.encode(bits[i], slm[i]);
  return {enc.finish(), enc.cost_bits()};
}

TEST(AnswerCoder, RoundTripsAndNeverCostsMoreThanNPlusOne) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; trial++) {
    const size_t n = rng() % (kMaxQuestions + 1);
    std::vector<bool> bits(n);
    std::vector<uint32_t> slm(n);
    for (size_t i = 0; i < n; i++) {
      bits[i] = rng() & 1;
      // From confidently wrong to confidently right, and everything between.
      slm[i] = trial % 3 == 0 ? (bits[i] ? 1 : 65535) : 1 + rng() % 65535;
    }
    const Coded c = code(bits, slm);
    EXPECT_LE(c.cost, double(n) + 1.01) << "trial " << trial;
    EXPECT_LE(c.payload.size() * 8, size_t(n) + 1 + 16) << "trial " << trial;
    AnswerCoder dec(c.payload);
    for (size_t i = 0; i < n; i++) ASSERT_EQ(dec.decode(slm[i]), bits[i]) << "trial " << trial << " bit " << i;
    EXPECT_NEAR(dec.cost_bits(), c.cost, 1e-9);
  }
}

TEST(AnswerCoder, ConfidentCorrectSlmCostsFarBelowOneBitEach) {
  std::vector<bool> bits(20, true);
  std::vector<uint32_t> slm(20, 65000);  // P(yes) = 0.99
  const Coded c = code(bits, slm);
  EXPECT_LT(c.cost, 3.0);
  EXPECT_LE(c.payload.size(), 1u);
}

TEST(AnswerCoder, YesFrequencyFollowsTheLogits) {
  EXPECT_NEAR(double(yes_frequency(0.f, 0.f)), 32768.0, 2.0);
  EXPECT_GT(yes_frequency(3.f, 0.f), 60000u);
  EXPECT_LT(yes_frequency(0.f, 3.f), 5000u);
  EXPECT_GE(yes_frequency(-100.f, 100.f), 1u);
  EXPECT_LE(yes_frequency(100.f, -100.f), 65535u);
}

TEST(ParseYesNo, ReadsTheFirstWord) {
  EXPECT_EQ(parse_yes_no("Yes"), true);
  EXPECT_EQ(parse_yes_no("  no."), false);
  EXPECT_EQ(parse_yes_no("**No**, because the sum is 9."), false);
  EXPECT_EQ(parse_yes_no("YES!"), true);
  EXPECT_EQ(parse_yes_no("\"yes\""), true);
  EXPECT_EQ(parse_yes_no("Yesterday it was"), std::nullopt);
  EXPECT_EQ(parse_yes_no("Not sure"), std::nullopt);
  EXPECT_EQ(parse_yes_no(""), std::nullopt);
  EXPECT_EQ(parse_yes_no("I think yes"), std::nullopt);
}

TEST(ParseQuestions, StripsNumberingAndBlankLines) {
  const auto q = parse_questions("Here:\n1. Is x even?\n\n2) Is y > 3?\nQ3: Did you add?\n- Is it 9?\n", 10);
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], "Here:");
  EXPECT_EQ(q[1], "Is x even?");
  EXPECT_EQ(q[2], "Is y > 3?");
  EXPECT_EQ(q[3], "Did you add?");
  EXPECT_EQ(q[4], "Is it 9?");
  EXPECT_EQ(parse_questions("a\nb\nc", 2).size(), 2u);
  EXPECT_TRUE(parse_questions(" \n\n", 3).empty());
  EXPECT_EQ(parse_questions("10. Is 10 > 9?", 1)[0], "Is 10 > 9?");
}

TEST(Transcript, Format) {
  std::vector<Turn> turns = {{"Is it 9?", true, 0, 0}, {"Did you add?", false, 0, 0}};
  EXPECT_EQ(format_transcript(turns), "Q1: Is it 9?\nA1: Yes\nQ2: Did you add?\nA2: No\n");
  EXPECT_EQ(format_transcript({}), "(none)\n");
}

TEST(Prompts, FillAndValidate) {
  EXPECT_EQ(fill("a {x} b {y} {z}", {{"x", "1"}, {"y", "{x}"}}), "a 1 b {x} {z}");
  const Prompts& p = default_prompts();
  EXPECT_EQ(p.version, "qa-v1");
  EXPECT_NE(p.hash, 0u);
  EXPECT_NE(p.attempt.find("{problem}"), std::string::npos);
  std::string bad = R"({"version": "x", "attempt": "{problem} {question}", "questions_batch": "", "question_next": "",
    "answer": "", "oracle_reference": "", "oracle_answer": "", "revision": ""})";
  try {
    parse_prompts(bad, "bad.json");
    FAIL() << "accepted an unknown placeholder";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("{question}"), std::string::npos) << e.what();
  }
  // One placeholder per prefix, from the choice prompts: two are refused.
  nlohmann::json two = nlohmann::json::parse(kChoiceQaPromptsJson);
  EXPECT_NO_THROW(parse_prompts(two.dump(), "choice.json"));
  two["revision_prefix"] = "The answer is {choice} or {choice_line}";
  EXPECT_THROW(parse_prompts(two.dump(), "two.json"), Error);
  EXPECT_THROW(parse_prompts(R"({"version": "x"})", "short.json"), Error);
  EXPECT_THROW(parse_prompts("not json", "x.json"), Error);
}

QaHeader sample_header() {
  QaHeader h;
  h.slm_fingerprint[0] = 0xab;
  h.slm_name = "SmolLM2";
  h.compute = "test";
  h.prompts_version = "qa-v1";
  h.prompts_hash = 42;
  h.problem_hash = 43;
  h.settings.questions = 10;
  h.answers = 7;
  h.transcript_checksum = 44;
  h.payload = {1, 2, 3};
  return h;
}

TEST(QaFile, RoundTripsItsHeader) {
  const auto file = write_qa_file(sample_header());
  const QaHeader back = read_qa_file(file);
  EXPECT_EQ(back.slm_name, "SmolLM2");
  EXPECT_EQ(back.answers, 7u);
  EXPECT_EQ(back.payload, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(back.settings.mode, QuestionMode::sequential);
}

TEST(QaFile, EveryFlippedByteAndEveryTruncationIsCaught) {
  const auto file = write_qa_file(sample_header());
  for (size_t i = 0; i < file.size(); i++) {
    auto bad = file;
    bad[i] ^= 0x10;
    EXPECT_THROW(read_qa_file(bad), Error) << "flip at " << i;
    EXPECT_THROW(read_qa_file(std::span(file).first(i)), Error) << "cut at " << i;
  }
  auto longer = file;
  longer.push_back(0);
  EXPECT_THROW(read_qa_file(longer), Error);
}

// Crafted headers with valid checksums (anyone can recompute XXH3): every size is checked before
// anything is allocated for it.
TEST(QaFile, CraftedSizesAreRefused) {
  auto refused = [](auto edit) {
    QaHeader h = sample_header();
    edit(h);
    try {
      read_qa_file(write_qa_file(h));
    } catch (const Error& e) {
      return e.code() == ErrorCode::corrupt;
    }
    return false;
  };
  EXPECT_TRUE(refused([](QaHeader& h) { h.settings.context_tokens = 2000000000; }));
  EXPECT_TRUE(refused([](QaHeader& h) { h.settings.context_tokens = 8; }));
  EXPECT_TRUE(refused([](QaHeader& h) { h.settings.max_attempt_tokens = 5000; }));
  EXPECT_TRUE(refused([](QaHeader& h) { h.settings.max_question_tokens = 5000; }));
  EXPECT_TRUE(refused([](QaHeader& h) { h.settings.questions = kMaxQuestions + 1, h.answers = 0; }));
  EXPECT_TRUE(refused([](QaHeader& h) { h.answers = 11; }));
  EXPECT_FALSE(refused([](QaHeader&) {}));
}

// Protocol 5 added candidates mode and changed nothing else: version-4 files of the other modes
// still decode, a version-4 file in candidates mode is refused, and so is a newer protocol.
TEST(QaFile, ProtocolVersionsAreCheckedPerMode) {
  auto code_of = [](uint8_t protocol, QuestionMode mode) {
    QaHeader h = sample_header();
    h.protocol = protocol;
    h.settings.mode = mode;
    try {
      EXPECT_EQ(read_qa_file(write_qa_file(h)).protocol, protocol);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::ok;
  };
  EXPECT_EQ(code_of(4, QuestionMode::sequential), ErrorCode::ok);
  EXPECT_EQ(code_of(4, QuestionMode::batch), ErrorCode::ok);
  EXPECT_EQ(code_of(5, QuestionMode::candidates), ErrorCode::ok);
  EXPECT_EQ(code_of(4, QuestionMode::candidates), ErrorCode::unsupported);
  EXPECT_EQ(code_of(3, QuestionMode::sequential), ErrorCode::unsupported);
  EXPECT_EQ(code_of(6, QuestionMode::sequential), ErrorCode::unsupported);
  EXPECT_EQ(code_of(5, QuestionMode(3)), ErrorCode::corrupt);
}

TEST(Candidates, GroupedByValueMostVotesFirstUnansweredLeftOut) {
  const auto groups =
      group_candidates({"So she makes $20.\nFinal answer: 20", "Final answer: 18", "no number here",
                        "It is \\boxed{18}", "Final answer: $20.00", "Final answer: 7", "Final answer: 18 dollars"},
                       CandidateKind::final_answer);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].answer, "18");
  EXPECT_EQ(groups[0].votes, 3u);
  EXPECT_EQ(groups[0].solution, "Final answer: 18");  // the first solution that gave it
  EXPECT_EQ(groups[1].answer, "20");                  // two votes, seen before 7
  EXPECT_EQ(groups[1].votes, 2u);
  EXPECT_EQ(groups[2].answer, "7");
}

TEST(Candidates, ProgramsGroupedByTheirCode) {
  const std::string a = "```python\ndef f(x):\n    return x + 1\n```", b = "```python\ndef f(x):\n    return x\n```";
  const auto groups = group_candidates({b, a, "Here it is:\n" + a, "I cannot write that."}, CandidateKind::program);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].answer, "def f(x):\n    return x + 1");
  EXPECT_EQ(groups[0].votes, 2u);
  EXPECT_EQ(groups[1].votes, 1u);
}

TEST(Candidates, PromptsNameTheirKindAndBuiltInsAreFoundByHash) {
  EXPECT_EQ(parse_question_mode("candidates"), QuestionMode::candidates);
  EXPECT_EQ(candidate_kind(candidate_prompts()), CandidateKind::final_answer);
  EXPECT_EQ(candidate_kind(candidate_code_prompts()), CandidateKind::program);
  EXPECT_EQ(candidate_kind(candidate_choice_prompts()), CandidateKind::choice);
  EXPECT_THROW(candidate_kind(default_prompts()), Error);  // no candidate templates
  nlohmann::json other = nlohmann::json::parse(kCandidateQaPromptsJson);
  other["candidate_answer"] = "letter";
  EXPECT_THROW(parse_prompts(other.dump(), "other.json"), Error);
  for (const Prompts* p : {&default_prompts(), &choice_prompts(), &candidate_prompts(), &candidate_code_prompts(),
                           &candidate_choice_prompts()})
    EXPECT_EQ(builtin_prompts(p->hash), p);
  EXPECT_EQ(builtin_prompts(default_prompts().hash ^ 1), nullptr);
}

// Records what the oracle asks its chat model; answers "Yes" to yes/no turns after a plain "maybe".
class RecordingBackend : public ChatBackend {
 public:
  explicit RecordingBackend(std::vector<Conversation>& asked) : asked_(asked) {}
  std::string reply(const Conversation& c, uint32_t) override {
    asked_.push_back(c);
    return "My solution. Final answer: 4";
  }
  std::optional<bool> yes_no(const Conversation& c) override {
    asked_.push_back(c);
    return c.back().content.find("exactly one word") == std::string::npos ? std::nullopt : std::optional(true);
  }
  std::string name() const override { return "recorder"; }

 private:
  std::vector<Conversation>& asked_;
};

// With oracle_followup, own-reference asks each question as the next turn after the LLM's own
// solution; gold-reference (and prompts without it) ask one message holding the reference. The retry
// extends the last message.
TEST(ReferenceOracle, OwnReferenceFollowsUpOnItsSolution) {
  const Prompts& code = candidate_code_prompts();
  ASSERT_FALSE(code.oracle_followup.empty());
  const Task task{"Add 2 and 2.", "It is 5.", "4"};
  for (auto mode : {OracleMode::own_reference, OracleMode::gold_reference}) {
    std::vector<Conversation> asked;
    auto oracle = make_reference_oracle(std::make_unique<RecordingBackend>(asked), code, mode, 64);
    oracle->begin(task);
    EXPECT_TRUE(oracle->answer({"Is it 4?", 0}));
    if (mode == OracleMode::own_reference) {
      ASSERT_EQ(asked.size(), 3u);  // the solution, then the question and its retry
      const Conversation first = {
          {"user", fill(code.oracle_reference, {{"problem", task.problem}})},
          {"assistant", "My solution. Final answer: 4"},
          {"user", fill(code.oracle_followup, {{"attempt", task.attempt}, {"question", "Is it 4?"}})}};
      EXPECT_EQ(asked[1].size(), 3u);
      for (size_t i = 0; i < first.size() && i < asked[1].size(); i++) {
        EXPECT_EQ(asked[1][i].role, first[i].role);
        EXPECT_EQ(asked[1][i].content, first[i].content);
      }
    } else {
      ASSERT_EQ(asked.size(), 2u);
      ASSERT_EQ(asked[0].size(), 1u);
      EXPECT_NE(asked[0][0].content.find("The correct final answer is: 4"), std::string::npos);
      EXPECT_NE(asked[0][0].content.find("Is it 4?"), std::string::npos);
    }
    EXPECT_EQ(asked.back().back().content,
              asked[asked.size() - 2].back().content + "\nReply with exactly one word: Yes or No.");
  }
  nlohmann::json bad = nlohmann::json::parse(kCandidateCodeQaPromptsJson);
  bad["oracle_followup"] = "{problem}: {question}";  // the problem is in the conversation already
  EXPECT_THROW(parse_prompts(bad.dump(), "bad.json"), Error);
}

}  // namespace
}  // namespace llmz::qa
