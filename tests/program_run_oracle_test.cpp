// The oracle that answers questions about programs by running them beside a reference (no model:
// the words behind it are scripted).
#include "eval/program_run_oracle.h"

#include <gtest/gtest.h>

#include "qa/prompts.h"

namespace llmz::eval {
namespace {

const std::string kShown = "assert add_one([1, 2]) == [2, 3]\n";
const std::string kReference = "def add_one(xs):\n    return [x + 1 for x in xs]\n";

// With no shown test and no prefix: every function the reference defines is probed.
std::optional<bool> compare(const std::string& prefix, const std::string& reference, const std::string& candidate,
                            const std::string& probes) {
  return same_results(prefix, reference, candidate, "", probes);
}

TEST(SameResults, SameValuesFromAnotherProgramAgree) {
  const std::string loop =
      "def add_one(xs):\n    out = []\n    for x in xs:\n        out.append(x + 1)\n    return out\n";
  EXPECT_EQ(compare("", kReference, loop, kShown), true);
  EXPECT_EQ(compare("", kReference, "def add_one(xs):\n    return xs\n", kShown), false);
}

TEST(SameResults, TheProbesGoBeyondTheShownTest) {
  // Right on the shown call, wrong on the empty list the written tests add.
  const std::string shown_only = "def add_one(xs):\n    return [2, 3]\n";
  EXPECT_EQ(compare("", kReference, shown_only, kShown), true);
  EXPECT_EQ(compare("", kReference, shown_only, kShown + "assert add_one([]) == []\n"), false);
}

TEST(SameResults, OnlyInputsOfTheWrittenTestsCount) {
  // The written test expects a wrong value; the reference decides what is right.
  EXPECT_EQ(compare("", kReference, kReference, "assert add_one([5]) == [7]\n"), true);
  // Prose around the asserts: lines that parse on their own still count.
  EXPECT_EQ(compare("", kReference, "def add_one(xs):\n    return [1]\n",
                    "Here are the tests:\nassert add_one([0]) == [1]\nassert add_one([4]) == [5]\n"),
            false);
}

TEST(SameResults, TheReferencesOwnTestsAndPrintsAreLeftOut) {
  const std::string noisy = kReference + "assert add_one([1]) == [5]\nprint(add_one([1]))\n";
  EXPECT_EQ(compare("", noisy, kReference, kShown), true);
  // The candidate runs as it is: a failing top-level assert fails it.
  EXPECT_EQ(compare("", kReference, kReference + "assert False\n", kShown), false);
}

TEST(SameResults, NothingToCompareIsNoAnswer) {
  EXPECT_EQ(compare("", kReference, kReference, "assert other([1]) == 2\n"), std::nullopt);
  EXPECT_EQ(compare("", "def add_one(xs) return", kReference, kShown), std::nullopt);  // does not parse
  // The reference fails on the only call: an input it does not take.
  EXPECT_EQ(compare("", kReference, kReference, "assert add_one(None) == 1\n"), std::nullopt);
  // ... but a call it answers still counts.
  EXPECT_EQ(compare("", kReference, "def add_one(xs):\n    return None\n", "add_one(None)\n" + kShown), false);
}

TEST(SameResults, FailingCandidatesAreNo) {
  EXPECT_EQ(compare("", kReference, "def add_one(xs) return", kShown), false);              // syntax
  EXPECT_EQ(compare("", kReference, "def plus_one(xs):\n    return xs\n", kShown), false);  // another name
  EXPECT_EQ(compare("", kReference, "def add_one(xs):\n    raise ValueError\n", kShown), false);
  EXPECT_EQ(compare("", kReference, "import sys\nsys.exit(0)\n", kShown), false);
  EXPECT_EQ(compare("", kReference, "def add_one(xs):\n    while True:\n        pass\n", kShown), false);
}

TEST(SameResults, FloatsCloseEnoughAgreeAndThePrefixRunsFirst) {
  EXPECT_EQ(compare("", "def f(x):\n    return x * 0.3\n", "def f(x):\n    return x * 0.1 * 3\n", "f(7)\n"), true);
  EXPECT_EQ(compare("", "def f(x):\n    return x * 0.3\n", "def f(x):\n    return x * 0.31\n", "f(7)\n"), false);
  const std::string prefix = "import math\nK = 3\n";
  EXPECT_EQ(
      compare(prefix, "def f(x):\n    return math.floor(x) + K\n", "def f(x):\n    return int(x) + 3\n", "f(2.5)\n"),
      true);
}

TEST(SameResults, OnlyTheFunctionsTheProblemAsksForAreProbed) {
  const std::string reference =
      "def is_even(x):\n    return x % 2 == 0\n\ndef count_even(xs):\n    return sum(is_even(x) for x in xs)\n";
  const std::string right = "def count_even(xs):\n    return len([x for x in xs if x % 2 == 0])\n";
  const std::string probes = "assert is_even(4)\nassert count_even([2, 4, 5]) == 2\n";
  const std::string shown = "assert count_even([1, 2]) == 1\n";
  // The shown test names count_even: the helper is the reference's own business.
  EXPECT_EQ(same_results("", reference, right, shown, shown + probes), true);
  // So does HumanEval's stub, when no test is shown.
  EXPECT_EQ(same_results("def count_even(xs):\n    pass\n", reference, right, "", probes), true);
  // With neither, the helper is probed too, and a right candidate without it fails.
  EXPECT_EQ(same_results("", reference, right, "", probes), false);
}

TEST(SameResults, CallsTheReferenceCannotAnswerLeaveRoomForOthers) {
  std::string probes;
  for (int i = 0; i < 9; i++) probes += "add_one(" + std::to_string(i) + ")\n";  // not a list: no answer
  probes += "add_one([])\n";
  EXPECT_EQ(same_results("", kReference, "def add_one(xs):\n    return [0]\n", "", probes), false);
}

TEST(SameResults, ResultsThatDifferRunToRunAreNotCompared) {
  // Generators are never equal to one another, nor are fresh objects without __eq__.
  EXPECT_EQ(
      same_results("", "def f(n):\n    return (i for i in range(n))\n", "def f(n):\n    return None\n", "", "f(3)\n"),
      std::nullopt);
  EXPECT_EQ(same_results("", "class Box:\n    pass\n\ndef f(n):\n    return Box()\n", "def f(n):\n    return None\n",
                         "", "f(3)\n"),
            std::nullopt);
}

// Words that always say yes, as Qwen2.5-Coder-1.5B did about programs.
struct YesWords : qa::Oracle {
  explicit YesWords(qa::OracleMode m, std::string program = kReference) : m_(m), program_(std::move(program)) {}
  qa::OracleMode mode() const override { return m_; }
  void begin(const qa::Task&) override {}
  bool answer(const qa::Question&) override { return true; }
  std::string reference() const override { return "My solution:\n```python\n" + program_ + "```\n"; }
  std::string name() const override { return "yes"; }
  qa::OracleMode m_;
  std::string program_;
};

std::string asked(const std::string& program) {
  return qa::fill(qa::candidate_code_prompts().candidate_question, {{"answer", program}});
}

TEST(ProgramRunOracle, RunsQuotedProgramsAndLeavesOtherQuestionsToTheWords) {
  ProgramRunOracle own(std::make_unique<YesWords>(qa::OracleMode::own_reference), "", kShown, "");
  own.begin({"problem", "attempt", ""});
  EXPECT_FALSE(own.answer({asked("def add_one(xs):\n    return xs"), 0}));
  EXPECT_TRUE(own.answer({asked(kReference), 0}));
  EXPECT_TRUE(own.answer({"Is the loop right?", 0}));
  EXPECT_EQ(own.counts().runs, 2u);
  EXPECT_EQ(own.counts().yes, 1u);
  EXPECT_EQ(own.counts().words, 1u);

  // Gold reference: the dataset's program, as it is, not the words' reference.
  ProgramRunOracle gold(std::make_unique<YesWords>(qa::OracleMode::gold_reference), "", kShown, "");
  gold.begin({"problem", "attempt", "def add_one(xs):\n    return [x + 2 for x in xs]\n"});
  EXPECT_FALSE(gold.answer({asked(kReference), 0}));
  EXPECT_EQ(gold.counts().runs, 1u);

  // A reference that answers no probe: the words decide.
  ProgramRunOracle none(std::make_unique<YesWords>(qa::OracleMode::own_reference), "", "", "assert other(1) == 2\n");
  none.begin({"problem", "attempt", ""});
  EXPECT_TRUE(none.answer({asked("def add_one(xs):\n    return xs"), 0}));
  EXPECT_EQ(none.counts().words, 1u);
}

TEST(ProgramRunOracle, AnOwnReferenceThatFailsTheShownTestIsNotTrusted) {
  // Its own program adds 2: wrong on the shown test, so only the shown test judges, and the right
  // candidate (which the wrong reference would reject) is confirmed.
  ProgramRunOracle own(
      std::make_unique<YesWords>(qa::OracleMode::own_reference, "def add_one(xs):\n    return [x + 2 for x in xs]\n"),
      "", kShown, "assert add_one([7]) == [9]\n");
  own.begin({"problem", "attempt", ""});
  EXPECT_TRUE(own.answer({asked(kReference), 0}));
  EXPECT_FALSE(own.answer({asked("def add_one(xs):\n    return [x + 2 for x in xs]"), 0}));
  EXPECT_EQ(own.counts().shown, 2u);
  EXPECT_EQ(own.counts().runs, 0u);
  EXPECT_EQ(own.counts().yes, 1u);
}

TEST(ProgramRunOracle, AnotherReferenceJudgesAfresh) {
  ProgramRunOracle gold(std::make_unique<YesWords>(qa::OracleMode::gold_reference), "", kShown, "");
  gold.begin({"problem", "attempt", kReference});
  EXPECT_TRUE(gold.answer({asked(kReference), 0}));
  gold.begin({"problem", "attempt", kReference});  // the next N's run: the same verdict
  EXPECT_TRUE(gold.answer({asked(kReference), 0}));
  gold.begin({"problem", "attempt", "def add_one(xs):\n    return [x + 2 for x in xs]\n"});
  EXPECT_FALSE(gold.answer({asked(kReference), 0}));
  EXPECT_EQ(gold.counts().runs, 3u);
  EXPECT_EQ(gold.counts().yes, 2u);
}

}  // namespace
}  // namespace llmz::eval
