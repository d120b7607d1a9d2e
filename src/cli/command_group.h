// The subcommand groups beside compress/decompress (qa, eval, lora): each registers its subcommands
// on the app, and main runs the group the user picked.
#pragma once
#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>

#include "llmz/llmz.h"

namespace llmz::cli {

class CommandGroup {
 public:
  virtual ~CommandGroup() = default;
  virtual bool parsed() const = 0;
  virtual int run() = 0;  // throws llmz::Error on failure
};

// -T/--threads for model evaluation: "auto" (stored as 0, the default) or a fixed count.
inline CLI::Option* add_threads_option(CLI::App& app, int& threads) {
  threads = 0;
  return app
      .add_option("-T,--threads", threads,
                  "threads for model evaluation: a number, or auto (every core, or one while the "
                  "machine is busy enough that one is faster; measured as it runs)")
      ->transform(CLI::Transformer(std::map<std::string, std::string>{{"auto", "0"}}) | CLI::Range(1, 256))
      ->default_str("auto");
}

// --compute for commands that write files: the compute profile they are coded with (decoding takes the
// profile a file names).
inline CLI::Option* add_compute_option(CLI::App& app, Compute& compute) {
  compute = Compute::portable;
  return app
      .add_option("--compute", compute,
                  "compute profile: portable (files decode on any x86-64 CPU with AVX2, FMA, F16C and BMI2) "
                  "or native (this CPU kind's fastest kernels; files decode on the same kind only)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Compute>{{"portable", Compute::portable}, {"native", Compute::native}}))
      ->default_str("portable");
}

// --mix for commands that code text losslessly: the models mixed with the LLM (MixParts).
inline CLI::Option* add_mix_option(CLI::App& app, uint8_t& parts) {
  parts = CompressOptions{}.mixing;
  return app
      .add_option_function<std::string>(
          "--mix", [&parts](const std::string& names) { parts = parse_mixing(names); },
          "models mixed with the LLM as it codes: match, ngram, calibrate (comma-separated), all or none")
      ->check([](const std::string& names) {
        try {
          parse_mixing(names);
          return std::string();
        } catch (const Error& e) {
          return std::string(e.what());
        }
      })
      ->default_str(mixing_names(parts));
}

// `llmz qa encode|decode` (file mode), `llmz serve` (oracle server), `llmz ask` (live client).
std::unique_ptr<CommandGroup> add_qa_commands(CLI::App& app);
// `llmz eval rewrite|qa|report`: the evaluation harness.
std::unique_ptr<CommandGroup> add_eval_commands(CLI::App& app);
// `llmz pack|unpack|merge`: record archives.
std::unique_ptr<CommandGroup> add_archive_commands(CLI::App& app);
// `llmz lora train`: LoRA adapters for the coder.
std::unique_ptr<CommandGroup> add_lora_commands(CLI::App& app);

}  // namespace llmz::cli
