// `llmz lora ...`: LoRA adapters for the coder (issue #6).
#pragma once
#include <CLI/CLI.hpp>
#include <memory>

namespace llmz::cli {

class LoraCommands {
 public:
  explicit LoraCommands(CLI::App& app);
  ~LoraCommands();
  bool parsed() const;
  int run();  // throws llmz::Error on failure

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmz::cli
