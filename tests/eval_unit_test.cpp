// The eval harness without models: the sandbox, grading, bootstrap arithmetic, benchmark loading
// (against ../shared/data when present) and chart rendering.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "eval/benchmarks.h"
#include "eval/choice_letter_oracle.h"
#include "eval/grading.h"
#include "eval/sandbox.h"
#include "eval/stats.h"
#include "eval/svg_chart.h"

namespace llmz::eval {
namespace {

SandboxLimits quick() {
  SandboxLimits l;
  l.wall_seconds = 3;
  l.cpu_seconds = 3;
  return l;
}

TEST(Sandbox, PassingAndFailingPrograms) {
  EXPECT_TRUE(run_python("assert sum([1, 2]) == 3\n", quick()).passed);
  const auto r = run_python("def f():\n    return 2\nassert f() == 3, 'f is wrong'\n", quick());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.error.find("f is wrong"), std::string::npos);
}

TEST(Sandbox, LoopIsKilledAtTheWallLimit) {
  SandboxLimits l = quick();
  l.wall_seconds = 1;
  const auto r = run_python("import time\nwhile True:\n    time.sleep(0.01)\n", l);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.passed);
}

TEST(Sandbox, CrashAndMemoryHogAreContained) {
  const auto crash = run_python("import os\nos.abort()\n", quick());
  EXPECT_FALSE(crash.passed);
  EXPECT_EQ(crash.signal, 6);
  SandboxLimits l = quick();
  l.memory_bytes = uint64_t(256) << 20;
  const auto hog = run_python("x = bytearray(2 * 1024 ** 3)\n", l);
  EXPECT_FALSE(hog.passed);
  EXPECT_NE(hog.error.find("MemoryError"), std::string::npos);
}

TEST(Sandbox, NoNetworkAndOwnDirectory) {
  const auto r = run_python(
      "import os, socket\n"
      "assert os.listdir('.') == ['program.py', 'stderr.txt'] or sorted(os.listdir('.')) == ['program.py', 'stderr.txt']\n"
      "try:\n"
      "    socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
      "    raise SystemExit(3)\n"
      "except OSError:\n"
      "    pass\n"
      "try:\n"
      "    socket.create_connection(('10.0.0.1', 80), timeout=1)\n"
      "    raise SystemExit(4)\n"
      "except OSError:\n"
      "    pass\n",
      quick());
  EXPECT_TRUE(r.passed) << r.exit_code << " " << r.error;
}

TEST(Grade, NumbersChoicesAndCode) {
  Problem num;
  num.answer = "18";
  EXPECT_TRUE(grade(num, "16 - 3 - 4 = 9 eggs, 9 * 2 = 18.\nFinal answer: $18").correct);
  EXPECT_FALSE(grade(num, "Final answer: 17").correct);

  Problem mc;
  mc.kind = AnswerKind::choice;
  mc.answer = "C";
  EXPECT_TRUE(grade(mc, "The answer is C.").correct);
  EXPECT_FALSE(grade(mc, "Final answer: A").correct);

  Problem code;
  code.kind = AnswerKind::code;
  code.code_prefix = "from typing import List\n\ndef add(xs: List[int]) -> int:\n    pass\n";
  code.tests = "assert add([1, 2, 3]) == 6\n";
  EXPECT_TRUE(grade(code, "```python\ndef add(xs: List[int]) -> int:\n    return sum(xs)\n```").correct);
  const Grade wrong = grade(code, "```python\ndef add(xs):\n    return 0\n```");
  EXPECT_FALSE(wrong.correct);
  EXPECT_NE(wrong.note.find("AssertionError"), std::string::npos);
  EXPECT_EQ(grade(code, "I do not know.").note, "no code in the reply");
}

TEST(ChoiceLetterOracle, AnswersNamedChoicesFromTheLetter) {
  EXPECT_EQ(named_choice("Is choice C correct?"), 'C');
  EXPECT_EQ(named_choice("Is Choice (B) the answer?"), 'B');
  EXPECT_EQ(named_choice("Is choice B correct, as choice B says?"), 'B');
  EXPECT_EQ(named_choice("Is choice B or choice D correct?"), std::nullopt);
  EXPECT_EQ(named_choice("Is choice B or D correct?"), std::nullopt);
  EXPECT_EQ(named_choice("Are choices A, B and D wrong?"), std::nullopt);
  EXPECT_EQ(named_choice("Is choice A or is it not?"), 'A');
  EXPECT_EQ(named_choice("Is the answer 5?"), std::nullopt);
  EXPECT_EQ(named_choice("Is the choice Arbitrary?"), std::nullopt);  // a word, not a letter

  // Words that always say yes: the letter overrides them on named choices only.
  struct Yes : qa::Oracle {
    void begin(const qa::Task&) override {}
    bool answer(const qa::Question&) override { return true; }
    std::string name() const override { return "yes"; }
  };
  ChoiceLetterOracle oracle(std::make_unique<Yes>(), 'C');
  oracle.begin({"problem", "attempt", "C"});
  EXPECT_FALSE(oracle.answer({"Is choice A correct?", 0}));
  EXPECT_TRUE(oracle.answer({"Is choice C correct?", 0}));
  EXPECT_TRUE(oracle.answer({"Is it about plants?", 0}));
  const auto& c = oracle.counts();
  EXPECT_EQ(c.answers, 2u);
  EXPECT_EQ(c.agreed, 1u);
  EXPECT_EQ(c.yes, 1u);
  EXPECT_EQ(c.yes_agreed, 1u);
}

TEST(Bootstrap, IntervalsAndGaps) {
  const std::vector<double> ones(40, 1.0);
  const auto all = bootstrap(ones.size(), [&](std::span<const size_t> i) { return mean_at(ones, i); });
  EXPECT_EQ(all.value, 1.0);
  EXPECT_EQ(all.low, 1.0);
  EXPECT_EQ(all.high, 1.0);

  std::vector<double> half(100);
  for (size_t i = 0; i < half.size(); i++) half[i] = double(i % 2);
  auto stat = [&](std::span<const size_t> i) { return mean_at(half, i); };
  const auto a = bootstrap(half.size(), stat, 2000, 7), b = bootstrap(half.size(), stat, 2000, 7);
  EXPECT_DOUBLE_EQ(a.value, 0.5);
  EXPECT_LT(a.low, 0.45);
  EXPECT_GT(a.high, 0.55);
  EXPECT_GT(a.low, 0.35);  // a 95% interval for p = 0.5, n = 100 is about +-0.1
  EXPECT_LT(a.high, 0.65);
  EXPECT_EQ(a.low, b.low);  // the same seed gives the same interval
  EXPECT_EQ(a.high, b.high);

  EXPECT_DOUBLE_EQ(gap_recovered(0.6, 0.2, 0.8), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(gap_recovered(0.2, 0.2, 0.8), 0.0);
  EXPECT_TRUE(std::isnan(gap_recovered(0.5, 0.4, 0.4)));  // no gap to recover
  EXPECT_TRUE(std::isnan(gap_recovered(0.5, 0.6, 0.4)));
}

// The real benchmark files, when this machine has them (../shared/data or $LLMZ_DATA_DIR).
class Benchmarks : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = default_benchmarks_dir();
    if (!std::filesystem::exists(dir_ + "/gsm8k/test.jsonl")) GTEST_SKIP() << "no benchmark data at " << dir_;
  }
  std::string dir_;
};

TEST_F(Benchmarks, EverySetLoadsWithAnswers) {
  const std::map<std::string, size_t> sizes = {{"gsm8k", 1319}, {"math500", 500},   {"aime24", 30},  {"aime25", 30},
                                               {"amc23", 40},   {"svamp", 1000},    {"asdiv", 2215}, {"mawps", 2065},
                                               {"arc-easy", 2376}, {"arc-challenge", 1172}, {"openbookqa", 500}, {"piqa", 1838},
                                               {"boolq", 3270}, {"mbpp", 500}, {"humaneval", 164}};
  for (const auto& name : benchmark_names()) {
    const auto problems = load_benchmark(name, dir_, 1);
    EXPECT_EQ(problems.size(), sizes.at(name)) << name;
    std::set<std::string> ids;
    for (const auto& p : problems) {
      EXPECT_FALSE(p.question.empty()) << name << " " << p.id;
      EXPECT_FALSE(p.answer.empty()) << name << " " << p.id;
      ids.insert(p.id);
    }
    EXPECT_EQ(ids.size(), problems.size()) << name << ": ids must be unique (resume relies on them)";
  }
  EXPECT_EQ(load_benchmark("svamp", dir_)[0].answer, "145");
  // The one-instruction sets come apart into question and options, the gold among them.
  const Problem obqa = load_benchmark("openbookqa", dir_, 0)[0];
  EXPECT_EQ(obqa.choices, (std::vector<std::string>{"make more phone calls", "quit eating lunch out",
                                                    "buy less with monopoly money", "have lunch with friends"}));
  EXPECT_EQ(obqa.answer, "B");
  EXPECT_EQ(obqa.stem.find("Answer"), std::string::npos) << obqa.stem;
  const Problem piqa = load_benchmark("piqa", dir_, 0)[0];
  EXPECT_EQ(piqa.stem, "How do I ready a guinea pig cage for it's new occupants?");
  EXPECT_EQ(piqa.choices.size(), 2u);
  EXPECT_EQ(piqa.answer, "A");
  const Problem boolq = load_benchmark("boolq", dir_, 0)[0];
  EXPECT_EQ(boolq.choices, (std::vector<std::string>{"true", "false"}));
  EXPECT_EQ(boolq.answer, "B");
}

TEST_F(Benchmarks, ChoicesShuffleWithTheSeedAndKeepTheGold) {
  const auto plain = load_benchmark("arc-easy", dir_, 0), a = load_benchmark("arc-easy", dir_, 5),
             b = load_benchmark("arc-easy", dir_, 5), c = load_benchmark("arc-easy", dir_, 6);
  size_t moved = 0;
  for (size_t i = 0; i < 50; i++) {
    EXPECT_EQ(a[i].question, b[i].question);
    moved += a[i].question != c[i].question;
    // The gold letter names the same choice text whatever the order.
    auto gold_text = [](const Problem& p) {
      const std::string tag = "\n" + p.answer + ". ";
      const size_t at = p.question.find(tag) + tag.size();
      return p.question.substr(at, p.question.find('\n', at) - at);
    };
    EXPECT_EQ(gold_text(plain[i]), gold_text(a[i])) << a[i].id;
  }
  EXPECT_GT(moved, 25u);
}

TEST_F(Benchmarks, ReferenceSolutionsPassTheirTests) {
  for (const char* name : {"mbpp", "humaneval"}) {
    const auto problems = load_benchmark(name, dir_);
    for (size_t i = 0; i < 5; i++)
      EXPECT_TRUE(grade(problems[i], "```python\n" + problems[i].solution + "\n```", quick()).correct)
          << problems[i].id;
    // A wrong program fails.
    EXPECT_FALSE(grade(problems[0], "```python\ndef nothing():\n    pass\n```", quick()).correct);
  }
}

TEST(SvgChart, DrawsSeriesLinesAndEscapes) {
  Chart c{"A <title>", "bits", "right (%)", true, {}, {}};
  c.series.push_back({"qa", {{1, 10, "N=1"}, {10, 20, "N=5"}, {0, 30, "dropped on a log axis"}}, true});
  c.lines.push_back({"SLM alone", 5});
  const std::string svg = render_svg(c);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("A &lt;title&gt;"), std::string::npos);
  EXPECT_NE(svg.find("N=5"), std::string::npos);
  EXPECT_EQ(svg.find("dropped on a log axis"), std::string::npos);
  EXPECT_NE(svg.find("SLM alone"), std::string::npos);
  EXPECT_NE(svg.find("(log scale)"), std::string::npos);
}

}  // namespace
}  // namespace llmz::eval
