// The subcommand groups beside compress/decompress (qa, eval, lora): each registers its subcommands
// on the app, and main runs the group the user picked.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>

namespace llmz::cli {

class CommandGroup {
 public:
  virtual ~CommandGroup() = default;
  virtual bool parsed() const = 0;
  virtual int run() = 0;  // throws llmz::Error on failure
};

// `llmz qa encode|decode` (file mode), `llmz serve` (oracle server), `llmz ask` (live client).
std::unique_ptr<CommandGroup> add_qa_commands(CLI::App& app);
// `llmz eval rewrite|qa|report`: the evaluation harness.
std::unique_ptr<CommandGroup> add_eval_commands(CLI::App& app);
// `llmz lora train`: LoRA adapters for the coder.
std::unique_ptr<CommandGroup> add_lora_commands(CLI::App& app);

}  // namespace llmz::cli
