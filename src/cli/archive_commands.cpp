// `llmz pack`, `llmz unpack`, `llmz merge`: record archives (.llmza); `llmz info` and `llmz test`
// on archives come here too.
#include "cli/archive_commands.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command_group.h"
#include "cli/model_registry.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/temp_file.h"
#include "common/text.h"
#include "llmz/archive.h"

namespace llmz::cli {

namespace {

uint32_t cores() { return std::max(1u, std::thread::hardware_concurrency()); }

// The prompts of a records file, in record order (for archives that keep only their hashes).
std::vector<std::string> prompts_of(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read the prompts");
  std::vector<std::string> prompts;
  uint64_t number = 0;
  for (std::string line; std::getline(in, line);) {
    number++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      prompts.push_back(nlohmann::json::parse(line).at(field).get<std::string>());
    } catch (const nlohmann::json::exception&) {
      fail(ErrorCode::usage, path + ":" + std::to_string(number) + ": no string field \"" + field + "\"");
    }
  }
  return prompts;
}

struct ArchiveCommands final : CommandGroup {
  CLI::App *pack = nullptr, *unpack = nullptr, *merge = nullptr;
  std::string model = default_model(), input, output, prompts = "store", prompts_from, range;
  std::vector<std::string> inputs;
  archive::PackOptions options;
  uint64_t record = 0;
  int threads = 0;
  Compute compute = Compute::portable;
  bool force = false, quiet = false, skip_damaged = false;

  explicit ArchiveCommands(CLI::App& app) {
    options.jobs = cores();
    pack = app.add_subcommand("pack",
                              "code a JSON Lines corpus into a record archive (.llmza): each response "
                              "with its prompt as context, one entry per record");
    pack->add_option("records", input, "the .jsonl file")->required();
    pack->add_option("-o,--output", output, "the archive (default: RECORDS.llmza)");
    pack->add_option("-m,--model", model, "GGUF path or short name")->capture_default_str();
    pack->add_option("--prompt-field", options.prompt_field, "field coded as the context")->capture_default_str();
    pack->add_option("--response-field", options.response_field, "field coded under it")->capture_default_str();
    pack->add_option("--prompts", prompts,
                     "store: code the prompts too; reference: keep only their hashes (unpack then needs "
                     "--prompts-from)")
        ->check(CLI::IsMember({"store", "reference"}))
        ->capture_default_str();
    pack->add_option("--max-record-bytes", options.max_record_bytes, "longest JSON line accepted")
        ->capture_default_str();
    pack->add_option("-j,--jobs", options.jobs, "records coded side by side (the archive is the same for any number)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    pack->add_option("--window", options.coding.window_tokens, "tokens the model sees at once")->capture_default_str();
    pack->add_option("--overlap", options.coding.window_overlap, "context carried into each next window")
        ->capture_default_str();
    add_mix_option(*pack, options.coding.mixing);
    add_threads_option(*pack, threads);
    add_compute_option(*pack, compute);
    pack->add_flag("-f,--force", force, "overwrite the output");
    pack->add_flag("-q,--quiet", quiet, "no progress");

    unpack = app.add_subcommand("unpack", "decode records of an archive back to JSON Lines");
    unpack->add_option("archive", input, "the .llmza file")->required();
    unpack->add_option("-o,--output", output, "the .jsonl to write (default: stdout)");
    unpack->add_option("-m,--model", model, "GGUF path or short name")->capture_default_str();
    unpack->add_option("--record", record, "only record N (from 1)")->check(CLI::PositiveNumber);
    unpack->add_option("--range", range, "only records A to B (from 1, both included): A:B");
    unpack->add_option("--prompts-from", prompts_from,
                       "the records file, for archives packed with --prompts reference");
    unpack->add_flag("--skip-damaged", skip_damaged, "write the records that decode, report the others (exit 3)");
    add_threads_option(*unpack, threads);
    unpack->add_flag("-f,--force", force, "overwrite the output");
    unpack->add_flag("-q,--quiet", quiet, "no progress");

    merge = app.add_subcommand("merge", "join archives made with the same model and options (e.g. shards), in order");
    merge->add_option("archives", inputs, "the .llmza files")->required();
    merge->add_option("-o,--output", output, "the archive to write")->required();
    merge->add_flag("-f,--force", force, "overwrite the output");
  }

  bool parsed() const override { return pack->parsed() || unpack->parsed() || merge->parsed(); }

  int run() override {
    if (merge->parsed()) {
      archive::merge(inputs, output, force);
      return 0;
    }
    if (pack->parsed()) return run_pack();
    return run_unpack();
  }

  int run_pack() {
    options.store_prompts = prompts == "store";
    if (output.empty()) output = input + ".llmza";
    if (!force && access(output.c_str(), F_OK) == 0)
      fail(ErrorCode::io, output + ": already exists (use -f to overwrite)");
    use_compute(compute);
    // Jobs share the cores: one thread each unless -T says otherwise.
    const Model m = Model::load({resolve_model(model), threads ? threads : int(std::max(1u, cores() / options.jobs))});
    ProgressBar bar("packing", quiet ? Progress::none : Progress::bar);
    archive::pack(m, input, output, options, [&](uint64_t done, uint64_t total) { bar.update(done, total); });
    return 0;
  }

  std::pair<uint64_t, uint64_t> wanted(uint64_t records) const {  // [first, last), from 0
    if (record && !range.empty()) fail(ErrorCode::usage, "--record or --range, not both");
    if (record) return {record - 1, record};
    if (range.empty()) return {0, records};
    const size_t colon = range.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument(range);
      const uint64_t a = std::stoull(range.substr(0, colon)), b = std::stoull(range.substr(colon + 1));
      if (a < 1 || b < a) throw std::invalid_argument(range);
      return {a - 1, b};
    } catch (const std::logic_error&) {
      fail(ErrorCode::usage, "--range takes A:B with 1 <= A <= B, e.g. 10:20");
    }
  }

  int run_unpack() {
    const archive::Reader reader(input);
    const auto [first, last] = wanted(reader.size());
    if (last > reader.size())
      fail(ErrorCode::usage,
           "the archive holds " + std::to_string(reader.size()) + " records; asked for up to " + std::to_string(last));
    std::vector<std::string> given_prompts;
    if (!reader.info().stored_prompts) {
      if (prompts_from.empty())
        fail(ErrorCode::usage,
             "this archive keeps only the prompts' hashes: give the records file with --prompts-from");
      given_prompts = prompts_of(prompts_from, reader.info().prompt_field);
      if (given_prompts.size() != reader.size())
        fail(ErrorCode::usage, prompts_from + " holds " + std::to_string(given_prompts.size()) +
                                   " records; the archive " + std::to_string(reader.size()));
    }
    use_compute(reader.info().compute_profile);
    const Model m = Model::load({resolve_model(model), threads});
    std::optional<TempFile> file;
    if (!output.empty() && output != "-") file.emplace(output, force);
    ProgressBar bar("unpacking", quiet ? Progress::none : Progress::bar, "records");
    uint64_t damaged = 0;
    for (uint64_t i = first; i < last; i++) {
      std::string line;
      try {
        line = reader.record(m, i, given_prompts.empty() ? "" : given_prompts[i]) + "\n";
      } catch (const Error& e) {
        if (!skip_damaged || e.code() != ErrorCode::corrupt) throw;
        std::cerr << "llmz: " << printable(input) << ": " << printable(e.what(), true) << "\n";
        damaged++;
        continue;
      }
      const auto bytes = std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size());
      if (file) {
        file->write(bytes);
      } else {
        std::cout << line << std::flush;
      }
      bar.update(i - first + 1, last - first);
    }
    if (file) file->commit();
    if (damaged)
      fail(ErrorCode::corrupt, std::to_string(damaged) + " of " + std::to_string(last - first) +
                                   " records damaged; the others were written");
    return 0;
  }
};

}  // namespace

std::unique_ptr<CommandGroup> add_archive_commands(CLI::App& app) { return std::make_unique<ArchiveCommands>(app); }

bool is_archive(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string(magic, 4) == "LZAR";
}

void print_archive_info(const std::string& path, bool json) {
  const archive::ArchiveInfo i = archive::Reader(path).info();
  if (json) {
    nlohmann::json adapters = nlohmann::json::array();
    for (const auto& a : i.adapters)
      adapters.push_back({{"name", a.name}, {"fingerprint", a.fingerprint}, {"scale", a.scale}});
    nlohmann::json j = {{"file", path},
                        {"format_version", i.format_version},
                        {"mode", "archive"},
                        {"model_name", i.model_name},
                        {"model_fingerprint", i.model_fingerprint},
                        {"compute", i.compute},
                        {"compute_profile", i.compute_profile == Compute::portable ? "portable" : "native"},
                        {"adapters", adapters},
                        {"prompt_field", i.prompt_field},
                        {"response_field", i.response_field},
                        {"prompts", i.stored_prompts ? "stored" : "referenced"},
                        {"records", i.records},
                        {"file_size", i.file_size},
                        {"entry_bytes", i.entry_bytes}};
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  printf("file:          %s\n", printable(path).c_str());
  printf("format:        llmz archive version %u: %llu records\n", i.format_version, (unsigned long long)i.records);
  printf("model:         %s\n", printable(i.model_name).c_str());
  printf("fingerprint:   %s\n", i.model_fingerprint.c_str());
  for (const auto& a : i.adapters)
    printf("LoRA adapter:  %s (%s), scale %g\n", printable(a.name).c_str(), a.fingerprint.c_str(), double(a.scale));
  printf("fields:        prompt \"%s\" (%s), response \"%s\"\n", printable(i.prompt_field).c_str(),
         i.stored_prompts ? "stored" : "hash only: unpack needs --prompts-from", printable(i.response_field).c_str());
  printf("compute:       %s\n", printable(i.compute).c_str());
  printf("size:          %llu bytes, of which entries %llu\n", (unsigned long long)i.file_size,
         (unsigned long long)i.entry_bytes);
}

void test_archive(const std::string& path, const Model& model, bool quiet) {
  const archive::Reader reader(path);
  // Without the prompts (an archive that keeps only their hashes) the entries' checksums are what
  // can be checked; unpack --prompts-from decodes them.
  const bool decode = reader.info().stored_prompts;
  if (!decode && !quiet) std::cerr << "llmz: " << printable(path) << ": prompts not stored: checking checksums only\n";
  ProgressBar bar("testing", quiet ? Progress::none : Progress::bar, "records");
  uint64_t damaged = 0;
  for (uint64_t i = 0; i < reader.size(); i++) {
    try {
      decode ? (void)reader.record(model, i) : (void)reader.entry(i);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::corrupt) throw;
      std::cerr << "llmz: " << printable(path) << ": " << printable(e.what(), true) << "\n";
      damaged++;
    }
    bar.update(i + 1, reader.size());
  }
  if (damaged)
    fail(ErrorCode::corrupt, std::to_string(damaged) + " of " + std::to_string(reader.size()) + " records damaged");
}

}  // namespace llmz::cli
