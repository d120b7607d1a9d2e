// llmz command line: compress, decompress, test and inspect files, with the habits of gzip/xz/zstd.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/archive_commands.h"
#include "cli/command_group.h"
#include "cli/file_io.h"
#include "cli/model_registry.h"
#include "cli/progress.h"
#include "cli/qa_commands.h"
#include "common/error.h"
#include "common/stopwatch.h"
#include "common/temp_file.h"
#include "common/text.h"
#include "llmz/archive.h"
#include "llmz/llmz.h"
#include "llmz/lossy.h"
#include "llmz/route.h"

namespace llmz::cli {
namespace {

const char* kSuffix = ".llmz";

enum class Mode { compress, decompress, test, info, models };

struct Options {
  Mode mode = Mode::compress;
  std::vector<std::string> files;
  std::string output;
  bool to_stdout = false, force = false, keep = false, remove_input = false;
  bool verbose = false, quiet = false, json = false;
  int threads = 0;  // auto
  Compute compute = Compute::portable;
  std::string model = default_model();
  std::string context_file;
  std::vector<std::string> lora;  // FILE[:SCALE]
  std::string lora_dir;
  std::string route;  // "prompt" or "best": pick one adapter of --lora-dir
  uint32_t window_tokens = CompressOptions{}.window_tokens;
  uint32_t window_overlap = CompressOptions{}.window_overlap;
  bool sliding_window = CompressOptions{}.sliding_window;
  uint8_t mixing = CompressOptions{}.mixing;
  uint32_t streams = CompressOptions{}.streams;
  bool always_model = false;
  // Lossy modes.
  bool rewrite = false, hide_answer = false, keep_answer = false;
  uint32_t shortest_of = 0;
  std::string rewriter, rewrite_prompts, solver;
  lossy::LossyOptions lossy;
};

const char* kExitCodes =
    "Exit codes: 0 success, 1 usage error, 2 file I/O or network error, 3 corrupt or truncated input,\n"
    "4 model missing or not the one the file was made with, 5 unsupported format version,\n"
    "70 internal error (a bug: please report it).\n"
    "Environment: LLMZ_MODEL (default model), LLMZ_MODELS_DIR (where short model names are found).";

class Runner {
 public:
  explicit Runner(Options o) : o_(std::move(o)) {}

  int run() {
    if (o_.mode == Mode::models) return list_models();
    if (o_.files.empty()) o_.files.push_back("-");
    if (!o_.output.empty() && o_.files.size() > 1) fail(ErrorCode::usage, "-o takes a single input file");
    if ((o_.keep_answer || !o_.solver.empty()) && (o_.mode != Mode::compress || !o_.rewrite))
      fail(ErrorCode::usage, "--keep-answer and --solver check rewrites: compress with --rewrite");
    if (!o_.solver.empty() && !o_.keep_answer) fail(ErrorCode::usage, "--solver checks rewrites: add --keep-answer");
    if (!o_.context_file.empty()) {
      auto bytes = read_input(o_.context_file);
      context_.assign(bytes.begin(), bytes.end());
    }
    int status = 0;
    for (const auto& f : o_.files) {
      try {
        process(f);
      } catch (const Error& e) {
        const std::string name = f == "-" ? std::string("stdin") : f;
        const bool named = std::string_view(e.what()).starts_with(f + ": ");  // archive errors name their file
        std::cerr << "llmz: " << (named ? "" : printable(name) + ": ") << printable(e.what(), true) << "\n";
        if (status == 0) status = int(e.code());
        if (e.code() == ErrorCode::model && !model_) return status;  // no point trying the other files
      }
    }
    return status;
  }

 private:
  // The compute profile to code with: files of another one get the model loaded again under theirs.
  void use_profile(Compute profile) {
    if (model_ && profile != model_->compute_profile()) model_.reset();
    use_compute(profile);
  }

  // The model with these adapters; loaded again only when a file needs other adapters.
  const Model& model(const std::vector<AdapterOptions>& adapters = {}) {
    if (!model_ || adapters != model_adapters_) {
      model_.reset();
      model_ = Model::load({resolve_model(o_.model), o_.threads, adapters});
      model_adapters_ = adapters;
    }
    return *model_;
  }

  // --lora FILE[:SCALE] as given: the adapters to compress with, or to decompress with.
  std::vector<AdapterOptions> given_adapters() const {
    std::vector<AdapterOptions> out;
    for (const auto& spec : o_.lora) {
      AdapterOptions a{spec, 1.0f};
      const size_t colon = spec.rfind(':');
      if (colon != std::string::npos) {
        try {
          size_t used = 0;
          const float scale = std::stof(spec.substr(colon + 1), &used);
          if (used == spec.size() - colon - 1) a = {spec.substr(0, colon), scale};
        } catch (const std::exception&) {  // no scale: the colon belongs to the path
        }
      }
      out.push_back(a);
    }
    return out;
  }

  // Decoding: the adapters given, else those the file names, looked up in --lora-dir.
  std::vector<AdapterOptions> adapters_for(std::span<const uint8_t> file) const {
    if (!o_.lora.empty() || o_.lora_dir.empty()) return given_adapters();
    return adapters_for_decoding(file, o_.lora_dir, {resolve_model(o_.model), o_.threads}, context_);
  }

  std::vector<uint8_t> compress_routed_text(std::span<const uint8_t> input, const CompressOptions& coding) const {
    if (o_.lora_dir.empty() || !o_.lora.empty())
      fail(ErrorCode::usage, "--route chooses among the adapters of --lora-dir (and takes no --lora)");
    return compress_routed({resolve_model(o_.model), o_.threads}, list_adapters(o_.lora_dir),
                           o_.route == "prompt" ? Route::prompt : Route::best, input, coding);
  }

  std::string output_path(const std::string& in) const {
    if (o_.to_stdout || (in == "-" && o_.output.empty())) return "-";
    if (!o_.output.empty()) return o_.output;
    if (o_.mode == Mode::compress) return in + kSuffix;
    if (in.size() <= strlen(kSuffix) || in.compare(in.size() - strlen(kSuffix), std::string::npos, kSuffix) != 0)
      fail(ErrorCode::usage, std::string("unknown suffix (expected ") + kSuffix + "); use -o or -c");
    return in.substr(0, in.size() - strlen(kSuffix));
  }

  void process(const std::string& in) {
    if ((o_.mode == Mode::info || o_.mode == Mode::test) && in != "-" && is_archive(in)) return process_archive(in);
    const std::vector<uint8_t> input = read_input(in);
    if (o_.mode == Mode::info) return print_info(in, input);

    const std::string out = o_.mode == Mode::test ? "" : output_path(in);
    if (o_.mode == Mode::compress && out == "-" && isatty(STDOUT_FILENO) && !o_.force)
      fail(ErrorCode::usage, "compressed data not written to a terminal (use -f to force)");
    if (!out.empty() && out != "-" && !o_.force && access(out.c_str(), F_OK) == 0)
      fail(ErrorCode::io, out + ": already exists (use -f to overwrite)");

    use_profile(o_.mode == Mode::compress ? o_.compute : inspect(input).compute_profile);
    const Stopwatch watch;
    const char* verb = o_.mode == Mode::compress ? "compressing" : o_.mode == Mode::test ? "testing" : "decompressing";
    std::vector<uint8_t> result;
    {
      ProgressBar bar(verb, o_.quiet ? Progress::none : o_.verbose ? Progress::bar_or_log : Progress::bar);
      auto progress = [&](uint64_t done, uint64_t total) { bar.update(done, total); };
      const CompressOptions coding{context_,   o_.window_tokens, o_.window_overlap, o_.sliding_window,
                                   o_.streams, progress,         o_.always_model,   o_.mixing};
      if (o_.mode == Mode::compress && (o_.rewrite || o_.shortest_of)) {
        if (!o_.route.empty()) fail(ErrorCode::usage, "--route works in lossless mode only");
        result = compress_lossy_text(input, coding);
      } else if (o_.mode == Mode::compress && !o_.route.empty()) {
        result = compress_routed_text(input, coding);
      } else if (o_.mode == Mode::compress) {
        result = compress(model(given_adapters()), input, coding);
      } else {
        result = decompress(model(adapters_for(input)), input, {context_, o_.streams, progress});
      }
    }
    const double seconds = watch.seconds();
    if (!out.empty()) write_output(out, result, o_.force, in);
    if (o_.remove_input && in != "-" && !out.empty() && out != "-") std::remove(in.c_str());
    report(in, input.size(), result.size(), seconds);
  }

  std::vector<uint8_t> compress_lossy_text(std::span<const uint8_t> input, const CompressOptions& coding) {
    lossy::LossyOptions opts = o_.lossy;
    opts.coding = coding;
    opts.coding.progress = nullptr;  // the bar would restart for every candidate
    opts.method = o_.shortest_of ? lossy::Method::shortest_of_n : lossy::Method::rewrite;
    if (o_.shortest_of) opts.candidates = o_.shortest_of;
    opts.hide_answer = o_.hide_answer;
    if (o_.rewrite && o_.shortest_of)
      fail(ErrorCode::usage, "--rewrite and --shortest-of are different modes: pick one");
    const auto prompts =
        o_.rewrite_prompts.empty() ? lossy::default_rewrite_prompts() : lossy::load_rewrite_prompts(o_.rewrite_prompts);
    const Model& coder = model(given_adapters());
    // The rewriter and the solver are loaded once each, and not at all where they are the coder.
    std::map<std::string, Model> others;
    auto named = [&](const std::string& name) -> const Model& {
      const std::string path = resolve_model(name.empty() ? o_.model : name);
      if (path == resolve_model(o_.model)) return coder;
      auto it = others.find(path);
      if (it == others.end()) it = others.emplace(path, Model::load({path, o_.threads})).first;
      return it->second;
    };
    const Model& writer = named(o_.rewriter);
    if (o_.keep_answer) {
      if (context_.empty())
        fail(ErrorCode::usage, "--keep-answer has the solver solve the prompt: give it with --context-file");
      opts.check = lossy::answer_check(named(o_.solver.empty() ? o_.rewriter : o_.solver), context_, input, prompts,
                                       opts.max_tokens);
    }
    const auto r = lossy::compress_lossy(coder, writer, input, opts, prompts);
    if (o_.verbose) {
      for (size_t i = 0; i < r.candidates.size(); i++) {
        const auto& c = r.candidates[i];
        fprintf(stderr, "candidate %zu: %zu bytes of text -> %zu bytes%s%s\n", i, c.text.size(), c.coded_bytes,
                !c.accepted   ? ""
                : *c.accepted ? ", keeps the answer"
                              : ", loses the answer",
                i == r.chosen ? " (kept)" : "");
      }
    }
    if (!o_.quiet && r.input_accepted == false)
      fprintf(stderr,
              "llmz: the solver works out the input's answer from neither the rewrites nor the input itself: "
              "the check cannot tell them apart, so the cheapest rewrite is kept\n");
    if (!o_.quiet && r.kept_input)
      fprintf(
          stderr, "llmz: %s: the file codes the input itself, losslessly\n",
          opts.check ? "no rewrite smaller than the input kept its answer" : "no rewrite coded smaller than the input");
    else if (!o_.quiet)
      fprintf(stderr, "llmz: LOSSY: the file decodes to a %zu-byte %s of the input, not to the input\n",
              r.candidates[r.chosen].text.size(), o_.shortest_of ? "fresh answer in place" : "rewrite");
    return r.file;
  }

  void report(const std::string& in, size_t in_size, size_t out_size, double seconds) const {
    const bool to_terminal = o_.to_stdout || in == "-";
    if (o_.quiet || (to_terminal && !o_.verbose && o_.mode != Mode::test)) return;
    const std::string name = in == "-" ? "stdin" : in;
    if (o_.mode == Mode::test) {
      fprintf(stderr, "%s: OK\n", name.c_str());
      return;
    }
    const size_t original = o_.mode == Mode::compress ? in_size : out_size;
    const size_t packed = o_.mode == Mode::compress ? out_size : in_size;
    const double bpb = original ? 8.0 * double(packed) / double(original) : 0;
    fprintf(stderr, "%s: %zu -> %zu bytes (%.3f bpb), %s/s\n", name.c_str(), in_size, out_size, bpb,
            human_bytes(double(original) / std::max(seconds, 1e-9)).c_str());
  }

  // Archives are read entry by entry from their file, never whole.
  void process_archive(const std::string& in) {
    if (o_.mode == Mode::info) return print_archive_info(in, o_.json);
    const archive::ArchiveInfo info = archive::Reader(in).info();
    use_profile(info.compute_profile);
    test_archive(in, model(o_.lora_dir.empty() ? given_adapters() : find_adapters(info.adapters, o_.lora_dir)),
                 o_.quiet);
  }

  void print_info(const std::string& in, const std::vector<uint8_t>& file) const {
    if (is_qa_file(file)) return print_qa_info(in == "-" ? "stdin" : in, file, o_.json);
    const FileInfo i = inspect(file);
    const double bpb = i.original_size ? 8.0 * double(i.file_size) / double(i.original_size) : 0;
    char fp_hash[17], in_hash[17];
    snprintf(fp_hash, sizeof fp_hash, "%016llx", (unsigned long long)i.context_hash);
    snprintf(in_hash, sizeof in_hash, "%016llx", (unsigned long long)i.input_checksum);
    if (o_.json) {
      nlohmann::json j = {{"file", in},
                          {"format_version", i.format_version},
                          {"mode", "lossless"},
                          {"model_name", i.model_name},
                          {"model_fingerprint", i.model_fingerprint},
                          {"vocab_size", i.vocab_size},
                          {"cdf_bits", i.cdf_bits},
                          {"window_tokens", i.window_tokens},
                          {"window_overlap", i.window_overlap},
                          {"window_mode", i.sliding_window ? "slide" : "reread"},
                          {"mixing", mixing_names(i.mixing)},
                          {"streams", i.streams},
                          {"context_tokens", i.context_tokens},
                          {"compute", i.compute},
                          {"compute_profile", i.compute_profile == Compute::portable ? "portable" : "native"},
                          {"original_size", i.original_size},
                          {"file_size", i.file_size},
                          {"header_size", i.header_size},
                          {"bpb", bpb},
                          {"llm_chunks", i.llm_chunks},
                          {"llm_tokens", i.llm_tokens},
                          {"llm_bytes", i.llm_bytes},
                          {"zstd_chunks", i.zstd_chunks},
                          {"stored_chunks", i.stored_chunks},
                          {"input_xxh3_64", in_hash},
                          {"adapters", nlohmann::json::array()}};
      for (const auto& a : i.adapters)
        j["adapters"].push_back({{"name", a.name}, {"fingerprint", a.fingerprint}, {"scale", a.scale}});
      if (!i.route.empty()) j["route"] = {{"mode", i.route}, {"candidates", i.route_candidates}};
      if (i.lossy) {
        char orig_hash[17];
        snprintf(orig_hash, sizeof orig_hash, "%016llx", (unsigned long long)i.lossy_original_checksum);
        j["mode"] = "lossy";
        j["lossy"] = {{"method", i.lossy_method},
                      {"original_size", i.lossy_original_size},
                      {"original_xxh3_64", orig_hash},
                      {"bits_per_original_byte",
                       i.lossy_original_size ? 8.0 * double(i.file_size) / double(i.lossy_original_size) : 0},
                      {"rewriter", i.rewriter_name},
                      {"rewriter_fingerprint", i.rewriter_fingerprint},
                      {"prompts_version", i.rewrite_prompts_version},
                      {"candidates", i.candidates},
                      {"seed", i.seed}};
      }
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    printf("file:          %s\n", printable(in == "-" ? "stdin" : in).c_str());
    if (i.lossy) {
      printf("format:        llmz version %u, LOSSY (%s): decodes to a rewrite, not to the original\n",
             i.format_version, printable(i.lossy_method).c_str());
      printf("original:      %llu bytes, xxh3-64 %016llx; %.4f bits per original byte\n",
             (unsigned long long)i.lossy_original_size, (unsigned long long)i.lossy_original_checksum,
             i.lossy_original_size ? 8.0 * double(i.file_size) / double(i.lossy_original_size) : 0.0);
      printf("rewriter:      %s (%s), prompts %s, %u candidate(s), seed %llu\n", printable(i.rewriter_name).c_str(),
             i.rewriter_fingerprint.c_str(), printable(i.rewrite_prompts_version).c_str(), i.candidates,
             (unsigned long long)i.seed);
    } else {
      printf("format:        llmz version %u, lossless\n", i.format_version);
    }
    printf("model:         %s\n", printable(i.model_name).c_str());
    printf("fingerprint:   %s\n", i.model_fingerprint.c_str());
    for (const auto& a : i.adapters)
      printf("LoRA adapter:  %s (%s), scale %g\n", printable(a.name).c_str(), a.fingerprint.c_str(), double(a.scale));
    if (!i.route.empty())
      printf("routing:       %s, among %u adapters\n",
             i.route == "prompt-profile" ? "by the prompt, against each adapter's training prompts"
             : i.route == "prompt"       ? "by the prompt, coded under each adapter"
                                         : "by trying each (best)",
             i.route_candidates);
    printf("tokenizer:     %u tokens, hash %016llx\n", i.vocab_size, (unsigned long long)i.tokenizer_hash);
    printf("coding:        CDF total 2^%u, windows of %u tokens overlapping by %u (%s), %u streams\n", i.cdf_bits,
           i.window_tokens, i.window_overlap, i.sliding_window ? "sliding" : "re-read", i.streams);
    printf("mixing:        %s\n", mixing_names(i.mixing).c_str());
    if (i.has_context)
      printf("context:       %u tokens, hash %s\n", i.context_tokens, fp_hash);
    else
      printf("context:       none\n");
    printf("compute:       %s (%s)\n", printable(i.compute).c_str(), compute_status(i).c_str());
    printf("%s %llu bytes, xxh3-64 %s\n",
           i.lossy ? "decodes to:   " : "original:     ", (unsigned long long)i.original_size, in_hash);
    printf("compressed:    %llu bytes, %.4f bits per byte (header %llu bytes, coded chunks %llu)\n",
           (unsigned long long)i.file_size, bpb, (unsigned long long)i.header_size,
           (unsigned long long)(i.file_size - i.header_size));
    printf("chunks:        %llu model (%llu bytes, %llu tokens), %llu zstd, %llu stored\n",
           (unsigned long long)i.llm_chunks, (unsigned long long)i.llm_bytes, (unsigned long long)i.llm_tokens,
           (unsigned long long)i.zstd_chunks, (unsigned long long)i.stored_chunks);
  }

  // Whether this machine evaluates as the file's encoder did, under the profile the file names.
  static std::string compute_status(const FileInfo& i) {
    const char* profile = i.compute_profile == Compute::portable ? "portable profile" : "native profile";
    try {
      use_compute(i.compute_profile);
    } catch (const Error& e) {
      return std::string(profile) + ", not available here: " + e.what();
    }
    return std::string(profile) +
           (compute_known(i.compute) ? ", this build's" : ", not this build's: see llmz --version");
  }

  int list_models() const {
    for (const auto& m : known_models()) {
      std::string path = resolve_model(m.name);
      printf("%-11s %-8s %s\n            %s\n", m.name.c_str(), access(path.c_str(), R_OK) == 0 ? "present" : "MISSING",
             m.description.c_str(), path.c_str());
    }
    return 0;
  }

  Options o_;
  std::string context_;
  std::optional<Model> model_;
  std::vector<AdapterOptions> model_adapters_;
};

void add_common(CLI::App& app, Options& o, bool coding) {
  app.add_option("files", o.files, "input files ('-' or none: stdin)");
  app.add_flag("-v,--verbose", o.verbose,
               "report sizes even when writing to stdout; progress lines in a log (stderr not a terminal)");
  app.add_flag("-q,--quiet", o.quiet, "no progress bar, no report");
  if (!coding) return;
  app.add_option("-o,--output", o.output, "output file (one input only)");
  app.add_flag("-c,--stdout", o.to_stdout, "write to stdout");
  app.add_flag("-f,--force", o.force, "overwrite existing outputs; write compressed data to a terminal");
  app.add_flag("-k,--keep", o.keep, "keep input files (the default)");
  app.add_flag("--rm", o.remove_input, "remove each input file after success");
  add_threads_option(app, o.threads);
  app.add_option("-m,--model", o.model, "model: a GGUF path or a short name (see 'llmz models')")
      ->capture_default_str();
  app.add_option("--context-file", o.context_file, "text both ends know (e.g. the prompt of a response)");
  app.add_option("--lora", o.lora, "LoRA adapter FILE[:SCALE] on top of the model (repeatable; recorded in the file)")
      ->allow_extra_args(false);
  app.add_option("--lora-dir", o.lora_dir,
                 "folder of adapters: decompress finds the ones a file names (by fingerprint); --route picks one");
  app.add_option("--route", o.route,
                 "compress with one adapter of --lora-dir: 'prompt' = chosen from --context-file alone, no bits; "
                 "'best' = the one that codes the input smallest (the file names it)")
      ->check(CLI::IsMember({"prompt", "best"}));
  app.add_option("--streams", o.streams, "chunks evaluated side by side")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
}

void add_lossy_options(CLI::App& app, Options& o) {
  app.add_flag("--rewrite", o.rewrite, "LOSSY: code a brief rewrite of the input instead of the input (docs/LOSSY.md)");
  app.add_option("--shortest-of", o.shortest_of,
                 "LOSSY baseline: code the shortest (in coded bits) of N fresh answers to --context-file")
      ->check(CLI::Range(1, 64));
  app.add_option("--rewriter", o.rewriter, "model that writes the rewrite or answers (default: -m)");
  app.add_option("--candidates", o.lossy.candidates, "rewrites to try (greedy + samples); the cheapest is kept")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--seed", o.lossy.seed, "sampling seed (recorded in the header)")->capture_default_str();
  app.add_option("--temperature", o.lossy.temperature, "sampling temperature")->capture_default_str();
  app.add_option("--max-rewrite-tokens", o.lossy.max_tokens, "longest rewrite or answer")->capture_default_str();
  app.add_flag("--hide-answer", o.hide_answer, "ask the rewrite not to state the final answer");
  app.add_flag(
      "--keep-answer", o.keep_answer,
      "send only a rewrite from which --solver, not told the answer, works out the input's final answer; "
      "if none, the input itself (lossless), unless the solver fails on the input too: then the cheapest rewrite");
  app.add_option("--solver", o.solver, "model that checks rewrites for --keep-answer (default: the rewriter)");
  app.add_option("--rewrite-prompts", o.rewrite_prompts, "rewrite template file (default: built-in rewrite-v1)");
}

void add_coding_options(CLI::App& app, Options& o) {
  app.add_option("--window", o.window_tokens, "tokens the model sees at once (compress)")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str();
  app.add_option("--overlap", o.window_overlap, "context carried into each next window (compress)")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  app.add_option("--window-mode", o.sliding_window,
                 "slide: the overlap stays in the model's cache, shifted; reread: each window evaluates it "
                 "again (as files before version 5) (compress)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"slide", true}, {"reread", false}}))
      ->default_str("slide");
  add_mix_option(app, o.mixing);
  add_compute_option(app, o.compute);
  app.add_flag("--always-model", o.always_model,
               "code every text chunk with the model, even where zstd -19 would be smaller (compress)");
}

int main_impl(int argc, char** argv) {
  Options o;
  CLI::App app{"llmz: lossless compression with a language model's next-token probabilities"};
  app.footer(kExitCodes);
  app.require_subcommand(0, 1);
  app.set_version_flag("-V,--version", [] {
    std::string text = "llmz " LLMZ_VERSION " (llama.cpp " LLMZ_LLAMA_RELEASE ")";
    for (Compute profile : {Compute::portable, Compute::native}) {
      text += profile == Compute::portable ? "\ncompute (portable): " : "\ncompute (native):   ";
      try {
        use_compute(profile);
        text += compute_id() + "\n  = " + compute_signature();
      } catch (const Error& e) {
        text += std::string("not available: ") + e.what();
      }
    }
    return text;
  });
  bool decompress_flag = false, test_flag = false;
  add_common(app, o, true);
  add_coding_options(app, o);
  add_lossy_options(app, o);
  app.add_flag("-d,--decompress", decompress_flag, "decompress (same as the decompress command)");
  app.add_flag("-t,--test", test_flag, "test integrity (same as the test command)");

  auto* c = app.add_subcommand("compress", "compress files (the default)");
  add_common(*c, o, true);
  add_coding_options(*c, o);
  add_lossy_options(*c, o);
  auto* d = app.add_subcommand("decompress", "decompress .llmz files");
  add_common(*d, o, true);
  auto* t = app.add_subcommand("test", "decompress in memory and verify every checksum; write nothing");
  add_common(*t, o, true);
  auto* i = app.add_subcommand("info", "show what a .llmz, .qa or .llmza file records (no model needed)");
  add_common(*i, o, false);
  i->add_flag("--json", o.json, "print JSON");
  app.add_subcommand("models", "list the known model names and whether they are installed");
  std::unique_ptr<CommandGroup> groups[] = {add_qa_commands(app), add_eval_commands(app), add_lora_commands(app),
                                            add_archive_commands(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "llmz: " << e.what() << " (see llmz --help)\n";
    return int(ErrorCode::usage);
  }
  install_signal_cleanup();  // every command that writes a file writes it through a TempFile
  for (auto& group : groups) {
    if (!group->parsed()) continue;
    try {
      return group->run();
    } catch (const Error& e) {
      std::cerr << "llmz: " << printable(e.what(), true) << "\n";
      return int(e.code());
    }
  }
  if (decompress_flag) o.mode = Mode::decompress;
  if (test_flag) o.mode = Mode::test;
  if (d->parsed()) o.mode = Mode::decompress;
  if (t->parsed()) o.mode = Mode::test;
  if (i->parsed()) o.mode = Mode::info;
  if (app.get_subcommand("models")->parsed()) o.mode = Mode::models;
  if (o.quiet) o.verbose = false;

  try {
    return Runner(std::move(o)).run();
  } catch (const Error& e) {
    std::cerr << "llmz: " << printable(e.what(), true) << "\n";
    return int(e.code());
  }
}

}  // namespace
}  // namespace llmz::cli

int main(int argc, char** argv) {
  try {
    return llmz::cli::main_impl(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "llmz: internal error: " << llmz::printable(e.what(), true) << "\n";
    return 70;
  }
}
