// The question-asking commands: `llmz qa encode|decode` (file mode), `llmz serve` (oracle server)
// and `llmz ask` (live client).
#pragma once
#include <CLI/CLI.hpp>
#include <memory>

namespace llmz::cli {

class QaCommands {
 public:
  explicit QaCommands(CLI::App& app);
  ~QaCommands();
  bool parsed() const;
  int run();  // throws llmz::Error on failure

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmz::cli
