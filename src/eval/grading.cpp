#include "eval/grading.h"

#include "common/text.h"
#include "qa/answers.h"

namespace llmz::eval {

namespace {

std::string last_line(const std::string& s) {
  const std::string t = trim(s);
  const size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

Grade grade(const Problem& problem, const std::string& reply, const SandboxLimits& limits) {
  Grade g;
  switch (problem.kind) {
    case AnswerKind::number: {
      const auto got = qa::extract_answer(reply);
      g.extracted = got.value_or("");
      g.correct = got && !problem.answer.empty() && qa::same_answer(*got, problem.answer);
      break;
    }
    case AnswerKind::choice: {
      const auto got = qa::extract_choice(reply);
      g.extracted = got.value_or("");
      g.correct = got && *got == problem.answer;
      break;
    }
    case AnswerKind::code: {
      const auto code = qa::extract_code(reply);
      g.extracted = code.value_or("");
      if (!code) {
        g.note = "no code in the reply";
        break;
      }
      const auto r = run_with_tests(problem.code_prefix, *code, problem.tests, limits);
      g.correct = r.passed;
      if (r.timed_out)
        g.note = "timed out";
      else if (r.signal)
        g.note = "killed by signal " + std::to_string(r.signal);
      else if (!r.passed)
        g.note = last_line(r.error);
      break;
    }
  }
  return g;
}

SandboxResult run_with_tests(const std::string& prefix, const std::string& program, const std::string& tests,
                             const SandboxLimits& limits) {
  return run_python(prefix + "\n" + program + "\n\n" + tests, limits);
}

}  // namespace llmz::eval
