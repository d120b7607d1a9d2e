// llmz public API: record archives (.llmza, docs/FORMAT.md "Archives"). A corpus of JSON Lines
// records, each response coded with its prompt as context, one independently decodable entry per
// record and an index at the end, so one record decodes without touching the others.
//
//   llmz::archive::pack(model, "records.jsonl", "corpus.llmza", {});
//   llmz::archive::Reader corpus("corpus.llmza");
//   std::string line = corpus.record(model, 17);  // the 18th record, as a JSON line
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "llmz/llmz.h"

namespace llmz::archive {

struct PackOptions {
  std::string prompt_field = "prompt";      // the record's field coded as the context
  std::string response_field = "response";  // the record's field coded under it
  // true: each prompt is coded too (without context) and unpacks with its record; false: only its
  // hash is kept, and unpacking needs the prompts again (Reader::record's prompt argument).
  bool store_prompts = true;
  uint64_t max_record_bytes = uint64_t(1) << 20;  // longest JSON line accepted
  CompressOptions coding;                         // window, overlap, streams (context: each record's prompt)
  uint32_t jobs = 1;                              // records coded side by side (threads, one context each)
};

// One record coded: its entry (docs/FORMAT.md). It depends only on the model, the options and the
// record's JSON text, never on which worker or how many codes it: so archives made by any number of
// workers, or merged from shards, are byte-identical. Fails with ErrorCode::usage on a line that is
// not a JSON object, lacks a field, or holds a field that is not a string.
std::vector<uint8_t> code_record(const Model& model, const std::string& json_line, const PackOptions& options);

// Writes an archive entry by entry, to a temporary file that becomes `path` only at finish(): an
// interrupted writer leaves nothing behind.
class Writer {
 public:
  Writer(const std::string& path, const Model& model, const PackOptions& options, bool overwrite = false);
  ~Writer();
  void add(std::span<const uint8_t> entry);
  void finish();
  uint64_t records() const;

 private:
  Writer() = default;
  friend void merge(const std::vector<std::string>&, const std::string&, bool);
  struct State;
  std::unique_ptr<State> state_;
};

// Packs a JSON Lines file (empty lines are skipped). progress(done, total) counts input bytes. A bad
// line fails with its line number and nothing is written.
void pack(const Model& model, const std::string& jsonl_path, const std::string& out_path, const PackOptions& options,
          const ProgressFn& progress = {});

// What an archive says about itself; needs no model.
struct ArchiveInfo {
  uint32_t format_version = 0;
  std::string model_name, model_fingerprint, compute;
  Compute compute_profile = Compute::portable;
  std::vector<AdapterInfo> adapters;
  std::string prompt_field, response_field;
  bool stored_prompts = true;
  uint64_t records = 0;
  uint64_t file_size = 0;
  uint64_t entry_bytes = 0;  // of file_size: the entries; the rest is the head, index and footer
};

class Reader {
 public:
  explicit Reader(const std::string& path);  // reads the head and the index only
  ~Reader();
  const ArchiveInfo& info() const;
  uint64_t size() const;
  // Record i (from 0; messages number records from 1, as lines) as a JSON line, reading only its entry. prompt: the
  // record's prompt when the archive does not store prompts (its hash is checked). Fails with ErrorCode::corrupt naming
  // the record when its entry is damaged.
  std::string record(const Model& model, uint64_t i, const std::string& prompt = {}) const;
  // Record i's entry bytes, checked (its checksum).
  std::vector<uint8_t> entry(uint64_t i) const;

 private:
  friend void merge(const std::vector<std::string>&, const std::string&, bool);
  struct State;
  std::unique_ptr<State> state_;
};

// Joins archives made with the same model and options (e.g. shards of one corpus, in order) into
// one: their entries copied as they are, so the result equals packing the whole corpus at once.
void merge(const std::vector<std::string>& inputs, const std::string& out_path, bool overwrite = false);

}  // namespace llmz::archive
