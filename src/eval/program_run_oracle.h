// The oracle on programming problems in candidates mode, where the LLM's words are no judge of
// programs (on 16 MBPP problems Qwen2.5-Coder-1.5B said Yes to the first program it was asked about
// every time, 10 of which fail the tests). A question that quotes a program is answered by running
// it beside the reference program in the sandbox: yes if, on every probe call the reference answers,
// the candidate returns the same value. The reference is the LLM's own program (own reference) or
// the dataset's (gold reference). The probe calls are those the problem's shown test makes and those
// in tests the LLM writes for the problem: only their inputs are used, as the values it expects may
// be wrong. An own reference that fails the shown test is known to be wrong (on MBPP the 1.5B's
// program fails it on 48 of the 54 problems it gets wrong, and passes it on 44 of the 46 it gets
// right): then the shown test alone answers (yes if the candidate passes it). A question that quotes
// no program, or whose reference answers no probe, goes to the LLM's words. A program is run once
// per problem: the runs of every N share the verdict. How often each way answered is counted over
// every question asked, all N's runs together, for the report.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "eval/words_decorator.h"
#include "llmz/eval.h"

namespace llmz::eval {

// What the LLM is asked for its tests, as the next turn after its own solution (asked with the
// problem alone, Qwen2.5-Coder-1.5B wrote the function again before any test); its reply holds the probes.
extern const char* const kProbeTestsRequest;

// Whether `candidate` returns what `reference` returns on the calls found in `probes` (Python text;
// statements that do not parse are skipped) to the functions the problem asks for: those `shown`
// (the problem's shown test) calls, else those `prefix` declares, else every one the reference
// defines. Of the first 16 such calls, the first 8 the reference answers the same way twice are
// compared, with 1 s of CPU per call. nullopt if there is no such call (or the reference cannot be
// loaded, or the harness fails). `prefix` runs before each program (HumanEval's imports and stub).
// The reference's top-level asserts and expression statements (its own tests and prints) are left
// out; the candidate runs as it is.
std::optional<bool> same_results(const std::string& prefix, const std::string& reference, const std::string& candidate,
                                 const std::string& shown, const std::string& probes);

class ProgramRunOracle : public WordsDecorator {
 public:
  // prefix as in same_results; shown: the test the problem shows (may be empty); written: the LLM's tests.
  ProgramRunOracle(std::unique_ptr<qa::Oracle> words, std::string prefix, std::string shown, const std::string& written)
      : WordsDecorator(std::move(words)),
        prefix_(std::move(prefix)),
        shown_(std::move(shown)),
        probes_(shown_ + "\n" + written) {}
  void begin(const qa::Task& task) override;
  bool answer(const qa::Question& q) override;
  std::string name() const override { return words_->name() + " (running programs)"; }

  struct Counts {
    // answered beside the reference, by the shown test alone, by the LLM's words; yes of the first two
    uint32_t runs = 0, shown = 0, words = 0, yes = 0;
  };
  const Counts& counts() const { return counts_; }

 private:
  std::string prefix_, shown_, probes_, reference_program_;
  bool reference_fails_shown_ = false;
  std::map<std::string, std::optional<bool>> verdicts_;  // by candidate program (nullopt: to the words)
  Counts counts_;
};

}  // namespace llmz::eval
