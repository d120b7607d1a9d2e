// The question-asking commands: `llmz qa encode|decode` (file mode), `llmz serve` (oracle server)
// and `llmz ask` (live client).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

// `llmz info` for .qa files.
bool is_qa_file(const std::vector<uint8_t>& file);
void print_qa_info(const std::string& name, const std::vector<uint8_t>& file, bool json);

}  // namespace llmz::cli
