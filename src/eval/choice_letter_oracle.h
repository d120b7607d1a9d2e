// The oracle of a base LLM on multiple-choice problems. Such a model answers a problem by ranking
// its options (choice_likelihood.h), and cannot be asked in words: Gemma 3 270M's Yes/No to "Is
// choice C correct?" barely follows even the answer it is shown (docs/EVAL.md). So a question that
// names one choice is answered from a letter, the LLM's ranked answer (own reference) or the
// dataset's (gold reference); any other question goes to the model's words. How often each way
// answered, and how often the words would have agreed with the letter, are counted for the report.
#pragma once
#include <memory>
#include <optional>

#include "eval/words_decorator.h"

namespace llmz::eval {

class ChoiceLetterOracle : public WordsDecorator {
 public:
  ChoiceLetterOracle(std::unique_ptr<qa::Oracle> words, char letter)
      : WordsDecorator(std::move(words)), letter_(letter) {}
  bool answer(const qa::Question& q) override;
  std::string name() const override { return words_->name() + " (letter)"; }

  // Questions answered from the letter, and how many of them the words would have answered alike;
  // the same for those answered "yes" (a plain "no" to everything agrees on all the others).
  struct Counts {
    uint32_t answers = 0, agreed = 0, yes = 0, yes_agreed = 0;
  };
  const Counts& counts() const { return counts_; }

 private:
  char letter_;
  Counts counts_;
};

// The letter of the one choice a question names ("Is choice C correct?" -> 'C'), if it names one.
std::optional<char> named_choice(const std::string& question);

}  // namespace llmz::eval
