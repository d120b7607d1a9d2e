// The eval harness without models: the sandbox, grading, bootstrap arithmetic, benchmark loading
// (against ../shared/data when present) and chart rendering.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/file.h"
#include "eval/choice_letter_oracle.h"
#include "eval/grading.h"
#include "eval/qa_rows.h"
#include "eval/sandbox.h"
#include "eval/stats.h"
#include "eval/svg_chart.h"
#include "llmz/eval.h"
#include "llmz/qa.h"

// Fault injection for the sandbox's set-up: when a countdown is armed, the call that brings it to
// zero fails, as when the process is out of descriptors or processes. These definitions stand in
// for the C library's in this test program (the real ones are reached through RTLD_NEXT).
static std::atomic<int> fail_pipe2_call{0}, fail_fork_call{0};

static bool fails_now(std::atomic<int>& countdown) { return countdown > 0 && --countdown == 0; }

extern "C" int pipe2(int fds[2], int flags) noexcept {
  static const auto real = reinterpret_cast<int (*)(int*, int)>(dlsym(RTLD_NEXT, "pipe2"));
  if (fails_now(fail_pipe2_call)) return errno = EMFILE, -1;
  return real(fds, flags);
}

extern "C" pid_t fork() noexcept {
  static const auto real = reinterpret_cast<pid_t (*)()>(dlsym(RTLD_NEXT, "fork"));
  if (fails_now(fail_fork_call)) return errno = EAGAIN, -1;
  return real();
}

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

TEST(Sandbox, AProgramThatPrintsStillPasses) {
  // Its output is buffered until exit; the sentinel must still come last (HumanEval answers that end
  // with print(f(3)) used to fail without a word).
  EXPECT_TRUE(run_python("print('hello')\nprint(1 + 2)\nassert True\n", quick()).passed);
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
      "assert sorted(os.listdir('.')) == ['program.py', 'stderr.txt', 'stdout.txt'], os.listdir('.')\n"
      "for host, port in [('127.0.0.1', 22), ('10.0.0.1', 80)]:\n"
      "    try:\n"
      "        socket.create_connection((host, port), timeout=1)\n"
      "        raise SystemExit(3)\n"
      "    except OSError:\n"
      "        pass\n",
      quick());
  EXPECT_TRUE(r.passed) << r.exit_code << " " << r.error;
}

// Every protection must hold on the machines this runs on; the message names what this one lacks.
std::string gaps() {
  std::string s;
  for (const auto& g : sandbox_gaps()) s += g + "; ";
  return s.empty() ? "" : "this machine's sandbox gaps: " + s;
}

// A folder and a file outside the sandbox, which the program must not see, and a path it must not create.
struct Outside {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("llmz-outside-" + std::to_string(getpid()));
  Outside() {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "secret.txt") << "secret";
  }
  ~Outside() { std::filesystem::remove_all(dir); }
};

TEST(Sandbox, ReadsAndWritesNothingOutsideItsFolder) {
  Outside outside;
  const auto r = run_python(
      "import os\n"
      "for p in ['" +
          (outside.dir / "secret.txt").string() +
          "', '/etc/shadow', '/etc/passwd', '/root', '/home', '/var', "
          "          '" +
          std::filesystem::current_path().string() +
          "']:\n"
          "    assert not os.path.exists(p), p\n"
          "for p in ['" +
          (outside.dir / "written.txt").string() +
          "', '/usr/written.txt', '/written.txt']:\n"
          "    try:\n"
          "        open(p, 'w').write('x')\n"
          "    except OSError:\n"
          "        continue\n"
          "    raise SystemExit('wrote ' + p)\n"
          "assert os.getuid() == 65534\n"
          "open('/tmp/mine.txt', 'w').write('a private /tmp is writable')\n",
      quick());
  EXPECT_TRUE(r.passed) << r.exit_code << " " << r.error;
  EXPECT_FALSE(std::filesystem::exists(outside.dir / "written.txt"));
}

TEST(Sandbox, NoUnixSocketsOfTheHost) {
  Outside outside;
  const std::string path = (outside.dir / "host.sock").string();
  const std::string abstract = "llmz-test-" + std::to_string(getpid());
  const int listener = socket(AF_UNIX, SOCK_STREAM, 0), abstract_listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{}, b{};
  a.sun_family = b.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  std::memcpy(b.sun_path + 1, abstract.data(), abstract.size());  // sun_path[0] = 0: the abstract namespace
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(bind(abstract_listener, reinterpret_cast<sockaddr*>(&b),
                 socklen_t(offsetof(sockaddr_un, sun_path) + 1 + abstract.size())),
            0);
  listen(listener, 4), listen(abstract_listener, 4);
  const auto r = run_python(
      "import socket\n"
      "for address in ['" +
          path + "', '\\0" + abstract +
          "']:\n"
          "    s = socket.socket(socket.AF_UNIX)\n"
          "    try:\n"
          "        s.connect(address)\n"
          "    except OSError:\n"
          "        continue\n"
          "    raise SystemExit('connected to ' + repr(address))\n",
      quick());
  close(listener), close(abstract_listener);
  EXPECT_TRUE(r.passed) << r.exit_code << " " << r.error;
}

TEST(Sandbox, ExitingBeforeTheEndIsNotPassing) {
  for (const char* early : {"import sys\nsys.exit(0)\n", "import os\nos._exit(0)\n", "raise SystemExit\n",
                            "import builtins\nbuiltins.print = lambda *a, **k: None\nexit()\n"}) {
    const auto r = run_python(std::string(early) + "assert 1 == 2\n", quick());
    EXPECT_EQ(r.exit_code, 0) << early;
    EXPECT_FALSE(r.finished) << early;
    EXPECT_FALSE(r.passed) << early;
  }
}

TEST(Sandbox, EveryDescendantIsKilled) {
  const std::string marker = "llmz-escapee-" + std::to_string(getpid());
  const auto r = run_python(
      "import os, subprocess, sys\n"
      "if os.fork() == 0:\n"
      "    os.setsid()\n"
      "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '" +
          marker +
          "'], start_new_session=True)\n"
          "    os._exit(0)\n"
          "os.wait()\n",
      quick());
  EXPECT_TRUE(r.passed) << r.error;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const auto& p : std::filesystem::directory_iterator("/proc")) {
    std::ifstream cmdline(p.path() / "cmdline");
    std::string s((std::istreambuf_iterator<char>(cmdline)), {});
    EXPECT_EQ(s.find(marker), std::string::npos) << "survived: " << p.path();
  }
}

TEST(Sandbox, ProcessCountIsLimitedForTheTree) {
  SandboxLimits l = quick();
  l.max_processes = 16;
  const auto r = run_python(
      "import os, sys, time\n"
      "started = 0\n"
      "try:\n"
      "    for _ in range(300):\n"
      "        if os.fork() == 0:\n"
      "            time.sleep(5)\n"
      "            os._exit(0)\n"
      "        started += 1\n"
      "except OSError:\n"
      "    print(started, 'forks', file=sys.stderr)\n"
      "    os._exit(0)\n"
      "raise SystemExit('300 forks succeeded')\n",
      l);
  EXPECT_EQ(r.exit_code, 0) << gaps() << r.error;
  EXPECT_NE(r.error.find(" forks"), std::string::npos) << gaps() << r.error;
  EXPECT_LT(std::atoi(r.error.c_str()), 16) << r.error;
}

TEST(Sandbox, MemoryIsLimitedForTheWholeTree) {
  SandboxLimits l = quick();
  l.memory_bytes = uint64_t(400) << 20;  // each child may take 160 MB, four of them may not
  // Time enough for four interpreters to start and fill their memory on a busy machine (with the
  // quick 3 s limit one CI run under load hit the wall time first): the memory limit must end it.
  l.wall_seconds = 60;
  const auto r = run_python(
      "import subprocess, sys\n"
      "hog = 'x = bytearray(160 * 1024 * 1024); import time; time.sleep(2)'\n"
      "children = [subprocess.Popen([sys.executable, '-c', hog]) for _ in range(4)]\n"
      "codes = [c.wait() for c in children]\n"
      "assert codes == [0, 0, 0, 0], codes\n",
      l);
  EXPECT_FALSE(r.passed) << gaps();
  EXPECT_TRUE(r.memory_limit) << gaps() << r.error;
}

std::set<int> open_descriptors() {
  std::set<int> listed, open;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
    listed.insert(std::atoi(e.path().filename().c_str()));
  for (int fd : listed)  // not the listing's own, closed by now
    if (fcntl(fd, F_GETFD) != -1) open.insert(fd);
  return open;
}

// A folder of the test's own as TMPDIR while it lives, removed with whatever is in it.
struct OwnTempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("llmz-sandbox-test-" + std::to_string(getpid()));
  std::string before = getenv("TMPDIR") ? getenv("TMPDIR") : "";
  OwnTempDir() {
    std::filesystem::create_directories(path);
    setenv("TMPDIR", path.c_str(), 1);
  }
  ~OwnTempDir() {
    before.empty() ? unsetenv("TMPDIR") : setenv("TMPDIR", before.c_str(), 1);
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// Each way the sandbox's set-up can fail (either pipe, the fork) is refused with one error, and
// leaves no folder behind and no descriptor open.
TEST(Sandbox, NoFolderNorDescriptorOutlivesAFailedSetUp) {
  const OwnTempDir tmp;
  const auto before = open_descriptors();
  struct Step {
    std::atomic<int>& countdown;
    int call;
    const char* message;
  };
  for (const Step& step :
       {Step{fail_pipe2_call, 1, "pipe"}, Step{fail_pipe2_call, 2, "pipe"}, Step{fail_fork_call, 1, "fork"}}) {
    step.countdown = step.call;
    try {
      run_python("assert True\n", quick());
      ADD_FAILURE() << "a failed " << step.message << " (call " << step.call << ") went unnoticed";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(step.message), std::string::npos) << e.what();
    }
    EXPECT_EQ(step.countdown, 0) << step.message << " was called fewer times than the test expects";
    step.countdown = 0;
    EXPECT_TRUE(std::filesystem::is_empty(tmp.path)) << "after a failed " << step.message << " " << step.call;
    EXPECT_EQ(open_descriptors(), before) << "after a failed " << step.message << " " << step.call;
  }
  EXPECT_TRUE(run_python("assert True\n", quick()).passed);  // and nothing stays armed
}

// A folder a program locked (mode 000, a file inside) goes too. Root may remove it anyway, so the
// removal runs as an ordinary user: nobody, when the test runs as root.
TEST(RemoveTree, FoldersWithoutRightsGoToo) {
  const OwnTempDir tmp;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    namespace fs = std::filesystem;
    const fs::path tree = tmp.path / "tree";
    fs::create_directories(tree / "a" / "b");
    std::ofstream(tree / "a" / "b" / "f") << "x";
    if (geteuid() == 0) {
      for (const auto& p : {tmp.path, tree, tree / "a", tree / "a" / "b", tree / "a" / "b" / "f"})
        if (chown(p.c_str(), 65534, 65534) != 0) _exit(10);
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(11);
    }
    fs::permissions(tree / "a" / "b", fs::perms::none);
    fs::permissions(tree / "a", fs::perms::none);
    std::error_code ec;
    fs::remove_all(tree, ec);
    if (!ec) _exit(12);  // the plain removal must fail here, or the test shows nothing
    remove_tree(tree);
    _exit(fs::exists(tree) ? 13 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10/11: cannot become nobody; 12: a plain removal succeeded; 13: left";
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
    qa::OracleMode mode() const override { return qa::OracleMode::gold_reference; }
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

// Rows of a candidates-mode run on a final-answer benchmark, as `eval qa` writes them.
nlohmann::json candidate_turn(const std::string& answer, bool yes) {
  return {{"q", "Is the correct final answer to the problem " + answer + "?"}, {"yes", yes}};
}

nlohmann::json candidate_config(bool correct, nlohmann::json turns) {
  return {{"seconds", 1.0},
          {"turns", std::move(turns)},
          {"by_n",
           {{"2", {{"correct", correct}, {"asked", 2}, {"cost_bits", 1.5}, {"coded_bits", 8}}},
            {"5", {{"correct", correct}, {"asked", 2}, {"cost_bits", 1.5}, {"coded_bits", 8}}}}}};
}

// A problem: its gold answer, the LLM's (right or not), whether the SLM's majority is right, and the
// two configurations.
nlohmann::json candidate_problem(const std::string& id, const std::string& gold, const std::string& llm_answer,
                                 bool majority_right, nlohmann::json qa, nlohmann::json control) {
  const nlohmann::json settings = {
      {"mode", "candidates"},
      {"benchmark", "gsm8k"},
      {"seed", 1},
      {"slm", {{"name", "small"}}},
      {"llm", {{"name", "strong"}, {"vocab", 1024}}},
      {"prompts", {{"hash", qa::candidate_prompts().hash}, {"version", "qa-candidates-v1"}}}};
  return {{"id", id},
          {"gold", gold},
          {"settings", settings},
          {"slm", {{"correct", false}}},
          {"llm", {{"correct", llm_answer == gold}, {"answer", llm_answer}, {"bytes", 100}, {"tokens", 30}}},
          {"slm_majority", {{"correct", majority_right}}},
          {"configs", {{"qa/own-reference", std::move(qa)}, {"control", std::move(control)}}}};
}

nlohmann::json summarize_rows(const std::string& name, const std::vector<nlohmann::json>& rows) {
  const std::string path = ::testing::TempDir() + "/" + name + ".jsonl";
  {
    std::ofstream out(path);
    for (const auto& r : rows) out << r.dump() << "\n";
  }
  return summarize_qa_eval(path);
}

// Candidates-mode summaries say how the oracle's yes/no answers match the LLM's own final answer and
// the gold one (read back from the questions), and what each configuration adds to the SLM's most
// frequent answer, paired by problem.
TEST(QaSummary, CandidatesRowsGetOracleAgreementAndTheMajorityDifference) {
  // Problem 1: the LLM (right) says yes to "$18.00", its own answer; problem 2: the LLM (wrong, 7)
  // says no to 7 and yes to 9, and the gold answer is 9; problem 3: the LLM's reference names no final
  // answer, and the oracle says yes to the gold 4.
  const auto s = summarize_rows(
      "qa-candidates-summary",
      {candidate_problem("p1", "18", "18", false,
                         candidate_config(true, {candidate_turn("20", false), candidate_turn("$18.00", true)}),
                         candidate_config(false, {candidate_turn("20", true)})),
       candidate_problem("p2", "9", "7", true,
                         candidate_config(true, {candidate_turn("7", false), candidate_turn("9", true)}),
                         candidate_config(true, {candidate_turn("9", true)})),
       candidate_problem("p3", "4", "", false, candidate_config(true, {candidate_turn("4", true)}),
                         candidate_config(false, {}))});
  const auto& a = s["configs"]["qa/own-reference"]["oracle_agreement"];
  EXPECT_EQ(a["questions"].get<double>(), 5);
  EXPECT_EQ(a["yes"].get<double>(), 3);
  EXPECT_EQ(a["with_reference"].get<double>(), 4);
  EXPECT_EQ(a["agree_reference"].get<double>(), 2);  // problem 2's answers are the opposite of "is it 7?"
  EXPECT_EQ(a["agree_gold"].get<double>(), 5);
  EXPECT_FALSE(s["configs"]["control"].contains("oracle_agreement"));
  // QA right on all three, the majority on problem 2 only: +2/3. The majority is of the largest N's
  // samples, so smaller N get no difference.
  EXPECT_DOUBLE_EQ(s["configs"]["qa/own-reference"]["by_n"]["5"]["minus_majority"]["value"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(s["configs"]["control"]["by_n"]["5"]["minus_majority"]["value"].get<double>(), 0.0);
  EXPECT_FALSE(s["configs"]["qa/own-reference"]["by_n"]["2"].contains("minus_majority"));
  const std::string md = qa_eval_markdown(s);
  EXPECT_NE(md.find("own reference answer on 2 of the 4 whose"), std::string::npos) << md;
  EXPECT_NE(md.find("qa/own-reference at N = 5 66.7"), std::string::npos) << md;
}

// Candidates mode on code: the programs the questions show are run against the tests, and the
// summary says how often each configuration's yes/no matched the verdict.
TEST(QaSummary, ProgramQuestionsAreCheckedAgainstTheTests) {
  Problem code;
  code.kind = AnswerKind::code;
  code.tests = "assert add([1, 2, 3]) == 6\n";
  const std::string& ask = qa::candidate_code_prompts().candidate_question;
  auto turn = [&](const std::string& program, bool yes) {
    return nlohmann::json{{"q", qa::fill(ask, {{"answer", program}})}, {"yes", yes}};
  };
  const std::string right = "def add(xs):\n    return sum(xs)", wrong = "def add(xs):\n    return 0";
  nlohmann::json row =
      candidate_problem("p1", "x", "x", false, candidate_config(true, {turn(wrong, true), turn(right, true)}),
                        candidate_config(false, {turn(wrong, false), turn(right, false)}));
  Problem math = code;
  math.kind = AnswerKind::number;
  EXPECT_EQ(grade_asked_programs(row, math).graded, 0u);  // only code problems' questions show programs
  const RegradeReport graded = grade_asked_programs(row, code);
  EXPECT_EQ(graded.graded, 4u);
  EXPECT_EQ(graded.changed, 0u);
  const nlohmann::json& qa = row["configs"]["qa/own-reference"];
  EXPECT_FALSE(qa["turns"][0]["program_passes"].get<bool>());
  EXPECT_TRUE(qa["turns"][1]["program_passes"].get<bool>());
  const auto s = summarize_rows("qa-candidates-programs", {row});
  const auto& a = s["configs"]["qa/own-reference"]["test_agreement"];
  EXPECT_EQ(a["questions"].get<double>(), 2);
  EXPECT_EQ(a["passing"].get<double>(), 1);
  EXPECT_EQ(a["yes"].get<double>(), 2);
  EXPECT_EQ(a["agree"].get<double>(), 1);
  EXPECT_EQ(s["configs"]["control"]["test_agreement"]["agree"].get<double>(), 1);
  EXPECT_NE(qa_eval_markdown(s).find("matched the tests' verdict on 1."), std::string::npos);
  // Rows made before programs were graded get no agreement rather than a partial one.
  row["configs"]["qa/own-reference"]["turns"][0].erase("program_passes");
  EXPECT_FALSE(
      summarize_rows("qa-candidates-programs-old", {row})["configs"]["qa/own-reference"].contains("test_agreement"));
}

// Problem by problem against the LLM alone, at the largest N: where only the LLM is right, whether
// any question named the gold answer (the SLM offered it) or none did.
TEST(QaSummary, CandidatesRowsSayWhereOnlyTheLlmIsRight) {
  const auto s = summarize_rows(
      "qa-candidates-versus-llm",
      {// both right
       candidate_problem("p1", "18", "18", false, candidate_config(true, {candidate_turn("18", true)}),
                         candidate_config(false, {})),
       // only the LLM: the SLM never offered 5; then: 5 was offered and wrongly rejected
       candidate_problem("p2", "5", "5", false,
                         candidate_config(false, {candidate_turn("3", false), candidate_turn("4", false)}),
                         candidate_config(false, {})),
       candidate_problem("p3", "5", "5", false,
                         candidate_config(false, {candidate_turn("5.0", false), candidate_turn("4", true)}),
                         candidate_config(false, {})),
       // only QA; neither
       candidate_problem("p4", "9", "7", false, candidate_config(true, {candidate_turn("9", true)}),
                         candidate_config(false, {})),
       candidate_problem("p5", "2", "7", false, candidate_config(false, {candidate_turn("7", true)}),
                         candidate_config(false, {}))});
  const auto& v = s["configs"]["qa/own-reference"]["versus_llm"];
  EXPECT_EQ(v["n"].get<int>(), 5);
  EXPECT_EQ(v["both_right"].get<double>(), 1);
  EXPECT_EQ(v["llm_only"].get<double>(), 2);
  EXPECT_EQ(v["llm_only_gold_never_asked"].get<double>(), 1);  // p2 (p3 asked about 5.0, the same number)
  EXPECT_EQ(v["config_only"].get<double>(), 1);
  EXPECT_EQ(v["neither"].get<double>(), 1);
  EXPECT_FALSE(s["configs"]["control"].contains("versus_llm"));
  const std::string md = qa_eval_markdown(s);
  EXPECT_NE(md.find("both right on 1, only the LLM on 2 (on 1 of these no question named the gold answer), only "
                    "qa/own-reference on 1, neither on 1."),
            std::string::npos)
      << md;
}

// Rewrite summaries pair each method with lossless coding of the same texts: its share of the bits and
// the solver's accuracy difference, with intervals; a source with no text is left out.
TEST(RewriteSummary, MethodsArePairedWithLosslessCoding) {
  const std::string path = ::testing::TempDir() + "/rewrite-summary.jsonl";
  auto v = [](double bits, bool correct) { return nlohmann::json{{"bits", bits}, {"correct", correct}}; };
  auto row = [&](const std::string& id, double lossless_bits, bool rewrite_right) {
    return nlohmann::json{{"id", id},
                          {"benchmark", "gsm8k"},
                          {"models", {{"coder", "c"}, {"writer", "w"}, {"solver", "s"}}},
                          {"settings", {{"candidates", 2}}},
                          {"llm_solution_correct", true},
                          {"shortest_of_n", v(50, false)},
                          {"reference",
                           {{"original_bytes", 100},
                            {"lossless", v(lossless_bits, true)},
                            {"rewrite", v(lossless_bits / 4, rewrite_right)},
                            {"best_of_n_rewrite", v(lossless_bits / 5, true)}}},
                          {"llm", {{"original_bytes", 0}}}};
  };
  {
    std::ofstream out(path);
    out << row("p1", 80, true).dump() << "\n" << row("p2", 120, false).dump() << "\n";
  }
  const auto s = summarize_rewrite_eval(path);
  const auto& rewrite = s["sources"]["reference"]["rewrite"];
  EXPECT_DOUBLE_EQ(rewrite["ratio"].get<double>(), 50.0 / 1600);
  EXPECT_DOUBLE_EQ(rewrite["bits_vs_lossless"]["value"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(rewrite["accuracy"]["value"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(rewrite["accuracy_minus_lossless"]["value"].get<double>(), -0.5);
  EXPECT_DOUBLE_EQ(s["sources"]["reference"]["shortest_of_n"]["bits_vs_lossless"]["value"].get<double>(), 0.5);
  EXPECT_FALSE(s["sources"].contains("llm"));
  // Rows on programs have no checked rewrite: the method is left out, not read as missing.
  EXPECT_FALSE(s["sources"]["reference"].contains("checked_rewrite"));
  const std::string md = rewrite_eval_markdown(s);
  EXPECT_NE(md.find("| reference | rewrite | 0.0312 | 25.0 ["), std::string::npos) << md;
  EXPECT_EQ(md.find("checked_rewrite |"), std::string::npos) << md;

  // With it: the original sent where no candidate passed (p2) counts its full bits; where the solver
  // missed the original too (p3), the cheapest candidate went. Each fallback is counted.
  {
    std::ofstream out(path);
    auto p1 = row("p1", 80, true), p2 = row("p2", 120, false), p3 = row("p3", 100, false);
    p1["reference"]["checked_rewrite"] = v(20, true);
    p2["reference"]["checked_rewrite"] = v(120, true);
    p2["reference"]["checked_rewrite"]["sent_original"] = true;
    p3["reference"]["lossless"]["correct"] = false;
    p3["reference"]["checked_rewrite"] = v(20, false);
    p3["reference"]["checked_rewrite"]["original_failed_check"] = true;
    for (auto* p : {&p1, &p2, &p3}) {
      (*p)["settings"]["checked_fallback"] = "the cheapest";
      (*p)["settings"]["solver_view"] = "answer hidden and masked";
    }
    out << p1.dump() << "\n" << p2.dump() << "\n" << p3.dump() << "\n";
  }
  const auto with_checked = summarize_rewrite_eval(path);
  const auto& checked = with_checked["sources"]["reference"]["checked_rewrite"];
  EXPECT_DOUBLE_EQ(checked["bits_vs_lossless"]["value"].get<double>(), 160.0 / 300);
  EXPECT_DOUBLE_EQ(checked["accuracy_minus_lossless"]["value"].get<double>(), 0);
  EXPECT_EQ(checked["sent_original"].get<int>(), 1);
  EXPECT_EQ(checked["original_failed_check"].get<int>(), 1);
  const std::string checked_md = rewrite_eval_markdown(with_checked);
  EXPECT_NE(checked_md.find("the original sent on 1 of 3 problems; the cheapest candidate sent because the solver "
                            "missed the answer from the original too on 1."),
            std::string::npos)
      << checked_md;
  EXPECT_NE(checked_md.find("where the solver misses it from the original too"), std::string::npos) << checked_md;

  // A row that rewrote the reference only (--originals reference) holds no llm entry and no verdict on
  // the writer's own solution: each source and the writer's accuracy count the rows that have them.
  {
    std::ofstream out(path);
    auto p1 = row("p1", 80, true), p2 = row("p2", 120, false), p3 = row("p3", 100, true);
    p1["llm"] = {{"original_bytes", 200},
                 {"lossless", v(40, true)},
                 {"rewrite", v(10, true)},
                 {"best_of_n_rewrite", v(10, true)}};
    p2["llm_solution_correct"] = false;
    p3.erase("llm"), p3.erase("llm_solution_correct");
    out << p1.dump() << "\n" << p2.dump() << "\n" << p3.dump() << "\n";
  }
  const auto partly = summarize_rewrite_eval(path);
  EXPECT_EQ(partly["sources"]["reference"]["rewrite"]["n"].get<double>(), 3);
  EXPECT_EQ(partly["sources"]["llm"]["rewrite"]["n"].get<double>(), 1);
  EXPECT_EQ(partly["llm_solutions"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(partly["llm_accuracy_alone"].get<double>(), 0.5);
  EXPECT_NE(rewrite_eval_markdown(partly).find("right on 0.500 of the 2 problems it wrote one for"), std::string::npos);

  // In some rows only: rows of different builds, refused rather than summarized over a part.
  {
    std::ofstream out(path);
    auto p1 = row("p1", 80, true);
    p1["reference"]["checked_rewrite"] = v(20, true);
    out << p1.dump() << "\n" << row("p2", 120, false).dump() << "\n";
  }
  try {
    summarize_rewrite_eval(path);
    ADD_FAILURE() << "a method in some rows only was summarized";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt) << e.what();
  }
}

// The real benchmark files (shared/data beside a folder above the checkout, or $LLMZ_DATA_DIR, which
// scripts/test.sh sets for a clone elsewhere). Without them these tests fail: the loaders they check
// are what every benchmark number stands on.
class Benchmarks : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = default_benchmarks_dir();
    ASSERT_TRUE(std::filesystem::exists(dir_ + "/gsm8k/test.jsonl"))
        << "no benchmark data at " << dir_ << ": set LLMZ_DATA_DIR to the workplace's shared/data/benchmarks";
  }
  std::string dir_;
};

// `eval regrade` grades stored replies again and runs the programs candidate questions show (rows
// made before program_passes was recorded get it), rewriting the file.
TEST_F(Benchmarks, RegradeGradesRepliesAndAskedPrograms) {
  const Problem p = load_benchmark("mbpp", dir_)[0];
  ASSERT_EQ(p.id, "mbpp-11");
  const std::string right = "```python\n" + p.solution + "\n```",
                    wrong = "```python\ndef remove_Occ(s, ch):\n    return s\n```";
  const std::string& ask = qa::candidate_code_prompts().candidate_question;
  const nlohmann::json settings = {{"mode", "candidates"},
                                   {"benchmark", "mbpp"},
                                   {"oracles", {"own-reference"}},
                                   {"prompts", {{"hash", qa::candidate_code_prompts().hash}}}};
  const nlohmann::json turn = {
      {"q", qa::fill(ask, {{"answer", p.solution}})}, {"yes", true}, {"program_passes", false}};
  const nlohmann::json row = {{"id", p.id},
                              {"settings", settings},
                              {"slm", {{"reply", wrong}, {"correct", true}}},  // a stale verdict
                              {"llm", {{"reply", right}, {"correct", true}}},
                              {"configs", {{"qa/own-reference", {{"turns", {turn}}}}}}};
  const std::string path = ::testing::TempDir() + "/regrade.jsonl";
  std::ofstream(path) << row.dump() << "\n";
  const RegradeReport r = regrade_qa_eval(path, dir_, nullptr);
  EXPECT_EQ(r.rows, 1u);
  EXPECT_EQ(r.graded, 3u);   // two replies, one asked program
  EXPECT_EQ(r.changed, 2u);  // the SLM's reply and the program: stale verdicts
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const auto back = nlohmann::json::parse(line);
  EXPECT_FALSE(back["slm"]["correct"].get<bool>());
  EXPECT_TRUE(back["configs"]["qa/own-reference"]["turns"][0]["program_passes"].get<bool>());
}

TEST_F(Benchmarks, EverySetLoadsWithAnswers) {
  const std::map<std::string, size_t> sizes = {
      {"gsm8k", 1319},    {"math500", 500},        {"aime24", 30},          {"aime25", 30},
      {"amc23", 40},      {"svamp", 1000},         {"asdiv", 2215},         {"mawps", 2065},
      {"arc-easy", 2376}, {"arc-challenge", 1172}, {"openbookqa", 500},     {"piqa", 1838},
      {"boolq", 3270},    {"mbpp", 500},           {"mbpp-validation", 90}, {"humaneval", 164}};
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

// The datasets' own solutions pass their tests in the sandbox: what it leaves out (files, network,
// /etc) is nothing a benchmark's code needs.
TEST_F(Benchmarks, ReferenceSolutionsPassTheirTests) {
  for (const char* name : {"mbpp", "humaneval"}) {
    const auto problems = load_benchmark(name, dir_);
    for (size_t i = 0; i < 25; i++)
      EXPECT_TRUE(grade(problems[i], "```python\n" + problems[i].solution + "\n```", quick()).correct)
          << problems[i].id;
    // A wrong program fails.
    EXPECT_FALSE(grade(problems[0], "```python\ndef nothing():\n    pass\n```", quick()).correct);
  }
  // MBPP shows its first assert in the question: that test, with the set-up, is what a sender may run.
  const Problem mbpp = load_benchmark("mbpp", dir_)[0];
  const std::string first = "assert remove_Occ(\"hello\",\"l\") == \"heo\"";
  EXPECT_NE(mbpp.question.find(first), std::string::npos) << mbpp.question;
  EXPECT_EQ(mbpp.shown_tests.find("assert"), mbpp.shown_tests.rfind("assert")) << mbpp.shown_tests;  // one only
  EXPECT_NE(mbpp.shown_tests.find(first), std::string::npos) << mbpp.shown_tests;
  EXPECT_TRUE(load_benchmark("humaneval", dir_)[0].shown_tests.empty());
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
  EXPECT_NE(svg.find("width=\"900\" height=\"480\""), std::string::npos);

  // Long legend names and many entries widen and lengthen the canvas instead of running off it.
  for (int i = 0; i < 30; i++) c.series.push_back({std::string(80, 'x'), {{1, 10, ""}}, true});
  const std::string big = render_svg(c);
  EXPECT_NE(big.find("width=\"1178\" height=\"626\""), std::string::npos) << big.substr(0, 120);
}

}  // namespace
}  // namespace llmz::eval
