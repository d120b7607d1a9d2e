// The base of the eval's oracles that answer some questions themselves (a named choice from a
// letter, choice_letter_oracle.h; a quoted program by running it, program_run_oracle.h) and leave
// the rest, and their reference and start, to the LLM's words behind them.
#pragma once
#include <memory>

#include "qa/oracle.h"

namespace llmz::eval {

class WordsDecorator : public qa::Oracle {
 public:
  explicit WordsDecorator(std::unique_ptr<qa::Oracle> words) : words_(std::move(words)) {}
  qa::OracleMode mode() const override { return words_->mode(); }
  void begin(const qa::Task& task) override { words_->begin(task); }
  std::string reference() const override { return words_->reference(); }
  uint32_t unclear_answers() const override { return words_->unclear_answers(); }

 protected:
  std::unique_ptr<qa::Oracle> words_;
};

}  // namespace llmz::eval
