#include <cstdio>
#include <optional>

#include "cli/command_group.h"
#include "cli/model_registry.h"
#include "cli/progress.h"
#include "llmz/lora.h"

namespace llmz::cli {

namespace {

struct LoraCommands final : CommandGroup {
  CLI::App* lora;
  CLI::App* train;
  CLI::App* profile;
  lora::TrainOptions options;
  std::string adapter;
  std::string base = default_model();
  bool quiet = false;

  explicit LoraCommands(CLI::App& app) {
    lora = app.add_subcommand("lora", "LoRA adapters for the coder (use them with --lora)");
    lora->require_subcommand(1);
    train =
        lora->add_subcommand("train", "train an adapter on text: rank-r factors learnt on top of the quantized model");
    train->add_option("--base", base, "the model the adapter is for (path or short name)")->capture_default_str();
    train
        ->add_option("--data", options.data,
                     "training text: text files, or .jsonl files of {\"prompt\", \"response\"} records")
        ->required()
        ->check(CLI::ExistingFile);
    train->add_option("-o,--out", options.out, "adapter GGUF to write")->required();
    train->add_option("--rank", options.rank, "rank of the factors (a multiple of 32)")->capture_default_str();
    train->add_option("--epochs", options.epochs, "passes over the text")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    train->add_option("--lr", options.learning_rate, "AdamW learning rate")->capture_default_str();
    train->add_option("--seed", options.seed, "seed of the factors' random start")->capture_default_str();
    train->add_option("--context", options.context, "tokens per training sequence")->capture_default_str();
    train->add_option("-T,--threads", options.threads, "threads")->capture_default_str()->check(CLI::Range(1, 256));
    train->add_flag("-q,--quiet", quiet, "no progress, no report");
    profile = lora->add_subcommand("profile",
                                   "store the training prompts' token profile in an adapter made without one "
                                   "(train writes it; --route prompt uses it). Tensors and fingerprint stay the same");
    profile->add_option("adapter", adapter, "adapter GGUF to update")->required()->check(CLI::ExistingFile);
    profile->add_option("--base", base, "the model the adapter is for (its tokenizer counts the prompts)")
        ->capture_default_str();
    profile
        ->add_option("--data", options.data,
                     "the adapter's training data: .jsonl files of {\"prompt\", \"response\"} records")
        ->required()
        ->check(CLI::ExistingFile);
    profile->add_flag("-q,--quiet", quiet, "no report");
  }

  bool parsed() const override { return lora->parsed(); }

  int run() override {
    options.base = resolve_model(base);
    if (profile->parsed()) {
      const uint64_t n = lora::profile_adapter(options.base, options.data, adapter);
      if (!quiet) fprintf(stderr, "%s: prompt profile of %llu tokens stored\n", adapter.c_str(), (unsigned long long)n);
      return 0;
    }
    std::optional<ProgressBar> bar;
    uint32_t shown_epoch = UINT32_MAX;
    auto progress = [&](const lora::TrainProgress& p) {
      if (p.epoch != shown_epoch) {
        bar.reset();
        bar.emplace("epoch " + std::to_string(p.epoch + 1) + "/" + std::to_string(p.epochs),
                    quiet ? Progress::none : Progress::bar_or_log, "seq");
        shown_epoch = p.epoch;
      }
      char loss[48];
      snprintf(loss, sizeof loss, "loss %.3f", p.loss);
      bar->update(uint64_t(p.step), uint64_t(p.steps), loss);
    };
    const auto r = lora::train_adapter(options, progress);
    bar.reset();
    if (!quiet) {
      for (size_t e = 0; e < r.epoch_loss.size(); e++)
        fprintf(stderr, "epoch %zu: mean training loss %.4f nats/token\n", e + 1, r.epoch_loss[e]);
      fprintf(stderr, "%s: rank %u adapter, %llu bytes; %llu tokens in %llu sequences; %.0f s\n", options.out.c_str(),
              options.rank, (unsigned long long)r.adapter_bytes, (unsigned long long)r.tokens,
              (unsigned long long)r.sequences, r.seconds);
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<CommandGroup> add_lora_commands(CLI::App& app) { return std::make_unique<LoraCommands>(app); }

}  // namespace llmz::cli
