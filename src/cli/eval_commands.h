// `llmz eval ...`: the evaluation harness commands.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>

namespace llmz::cli {

class EvalCommands {
 public:
  explicit EvalCommands(CLI::App& app);
  ~EvalCommands();
  bool parsed() const;
  int run();  // throws llmz::Error on failure

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmz::cli
