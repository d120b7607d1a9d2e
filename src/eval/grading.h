// Checks a model's reply to a benchmark problem: the final number or expression, the choice letter,
// or the program run against the benchmark's tests in the sandbox.
#pragma once
#include <string>

#include "eval/sandbox.h"
#include "llmz/eval.h"

namespace llmz::eval {

struct Grade {
  std::string extracted;  // the answer found in the reply ("" if none; for code, the program)
  bool correct = false;
  std::string note;  // why a program failed (timeout, signal, the error's last line)
};

Grade grade(const Problem& problem, const std::string& reply, const SandboxLimits& limits = {});

// A program run as grading runs it: the prefix (HumanEval's imports and stub), the program, then the tests.
SandboxResult run_with_tests(const std::string& prefix, const std::string& program, const std::string& tests,
                             const SandboxLimits& limits = {});

}  // namespace llmz::eval
