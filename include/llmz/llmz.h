// llmz public API: lossless compression of bytes with an LLM's next-token probabilities.
//
//   llmz::Model model = llmz::Model::load({.path = "smollm2.gguf"});
//   std::vector<uint8_t> packed = llmz::compress(model, input, {});
//   std::vector<uint8_t> again  = llmz::decompress(model, packed, {});
//
// Every failure is an llmz::Error carrying an ErrorCode (also the CLI's exit code).
// The file format is specified in docs/FORMAT.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace llmz {

enum class ErrorCode : int {
  ok = 0,
  usage = 1,        // bad command line or option value
  io = 2,           // a file cannot be read or written, or a network endpoint cannot be reached
  corrupt = 3,      // not an llmz file, truncated, damaged, or checksum mismatch
  model = 4,        // model missing, unreadable, or not the one the file was made with
  unsupported = 5,  // newer format version or a feature this build lacks
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Called now and then during long work: bytes of input done so far, and in total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// Compute profiles: which build of llama.cpp's CPU backend evaluates models. A file names its profile;
// decoding needs the same one (docs/FORMAT.md).
//   portable: x86-64-v3 kernels (AVX2, FMA, F16C, BMI2), the same on every x86-64 CPU that has them, so
//             files decode on any such machine. The default.
//   native:   the fastest kernels for this CPU kind (-march=native); files decode on the same kind only.
enum class Compute { portable, native };
// Chooses the profile this process computes with, before models load (without a call: portable). It
// can change while no model is loaded. Fails with ErrorCode::model when this CPU lacks the profile's
// instructions or its CPU backend is not built here (scripts/build_llama.sh), with ErrorCode::usage
// while models of another profile are loaded.
void use_compute(Compute profile);

// A LoRA adapter (llama.cpp GGUF, quantized tensors) applied on top of the model, scaled.
struct AdapterOptions {
  std::string path;
  float scale = 1.0f;
  bool operator==(const AdapterOptions&) const = default;
};

struct ModelOptions {
  std::string path;  // GGUF file
  // Threads for batched evaluation (one-token calls always use one, design §4). 0: as many as there are
  // cores, or one when measuring shows that the machine is too busy for that to be faster. The thread
  // count changes only speed, never the output.
  int threads = 0;
  std::vector<AdapterOptions> adapters;  // in this order; they change every probability
};

// An adapter as a file records it: files name it by the XXH3-128 of its tensor data.
struct AdapterInfo {
  std::string name;
  std::string fingerprint;
  float scale = 1.0f;
};

class Model;
namespace detail {
class LoadedModel;
// llmz's own layers reach the loaded model through this (model/loaded_model.h); it is not public API.
LoadedModel& loaded_model(const Model& model);
}  // namespace detail

// A loaded GGUF model with its fingerprint. Loading is the slow part; reuse one Model for many files.
class Model {
 public:
  static Model load(const ModelOptions& options);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  std::string name() const;         // general.name or the file name
  std::string fingerprint() const;  // hex XXH3-128 of the GGUF tensor data
  uint64_t file_size() const;
  std::vector<AdapterInfo> adapters() const;  // the LoRA adapters applied, in order
  Compute compute_profile() const;            // the profile it was loaded under (use_compute)

 private:
  explicit Model(std::unique_ptr<detail::LoadedModel> impl);
  friend detail::LoadedModel& detail::loaded_model(const Model&);
  std::unique_ptr<detail::LoadedModel> impl_;
};

// Online mixing (docs/FORMAT.md, "Mixing"): cheap models that learn from the text as it is coded,
// mixed with the LLM's distribution. Any combination; the file records it.
enum MixParts : uint8_t {
  mix_none = 0,
  mix_match = 1,      // the longest earlier occurrence of the latest tokens predicts what followed it
  mix_ngram = 2,      // counts of what followed the last 1, 2, 3 and 4 tokens
  mix_calibrate = 4,  // an adaptive bias on the LLM's top token, by its margin over the next
  mix_all = 7,
};

// "match,ngram,calibrate" (a comma-separated list of parts), "all" or "none", and back;
// parse_mixing fails with ErrorCode::usage on an unknown name.
uint8_t parse_mixing(const std::string& names);
std::string mixing_names(uint8_t parts);

struct CompressOptions {
  std::string context;            // text both ends know (e.g. the prompt); empty = none
  uint32_t window_tokens = 2048;  // tokens the model sees at once (its context, after the prefix)
  uint32_t window_overlap = 512;  // context carried into each next window of a chunk
  // How the overlap is carried: true, it stays in the model's cache, moved back by the tokens that left
  // the window (their keys rotated to the new positions, no model evaluation); false, the next window
  // evaluates it again (files before version 5 all do). The file records which.
  bool sliding_window = true;
  uint32_t streams = 16;  // chunks coded side by side (text is cut into at most this many)
  ProgressFn progress;
  // Text chunks that zstd -19 (or storing) codes smaller than the model are sent that way, unless this
  // is set: then every text chunk is model-coded (to measure the model, or to test its path).
  bool always_model = false;
  uint8_t mixing = mix_all;  // MixParts
};

struct DecompressOptions {
  std::string context;    // must be the same text the file was compressed with
  uint32_t streams = 16;  // may differ from the encoder's: results do not depend on it
  ProgressFn progress;
};

std::vector<uint8_t> compress(const Model& model, std::span<const uint8_t> input, const CompressOptions& options);
std::vector<uint8_t> decompress(const Model& model, std::span<const uint8_t> file, const DecompressOptions& options);

// What a file says about itself; needs no model.
struct FileInfo {
  uint32_t format_version = 0;
  std::string model_name;
  std::string model_fingerprint;
  uint64_t tokenizer_hash = 0;
  uint32_t vocab_size = 0;
  uint32_t cdf_bits = 0;
  uint32_t window_tokens = 0;
  uint32_t window_overlap = 0;
  bool sliding_window = false;
  uint8_t mixing = 0;  // MixParts
  uint32_t streams = 0;
  bool has_context = false;
  uint64_t context_hash = 0;
  uint32_t context_tokens = 0;
  std::string compute;  // the encoder's compute_id(): llama.cpp release, profile, hash of its compute_signature()
  Compute compute_profile = Compute::portable;  // the profile the decoder must use (use_compute)
  uint64_t original_size = 0;
  uint64_t file_size = 0;
  uint64_t header_size = 0;  // of file_size: the header; the rest is the coded chunks
  uint64_t input_checksum = 0;
  uint64_t llm_chunks = 0, zstd_chunks = 0, stored_chunks = 0;
  uint64_t llm_bytes = 0, llm_tokens = 0;
  std::vector<AdapterInfo> adapters;  // LoRA adapters the decoder must apply, in order
  // How the adapter was routed, else empty: "prompt-profile" (by the adapters' training-prompt
  // profiles), "prompt" (by coding the prompt under each; version 3 files) or "best".
  std::string route;
  uint32_t route_candidates = 0;  // adapters the route chose among
  // Lossy files decode to a rewrite of the input, not to the input.
  bool lossy = false;
  std::string lossy_method;  // "rewrite", "best-of-N rewrite", "shortest-of-N"
  uint64_t lossy_original_size = 0;
  uint64_t lossy_original_checksum = 0;
  std::string rewriter_name, rewriter_fingerprint, rewrite_prompts_version;
  uint32_t candidates = 0;
  uint64_t seed = 0;
};

FileInfo inspect(std::span<const uint8_t> file);

// The adapters a file needs (FileInfo::adapters), found among the .gguf files of dir by fingerprint,
// with the scales the file records. Fails with ErrorCode::model naming the first one missing.
std::vector<AdapterOptions> find_adapters(const std::vector<AdapterInfo>& needed, const std::string& dir);

// The LoRA adapters (.gguf files whose general.type is "adapter") in dir, ordered by fingerprint:
// the candidates routing chooses among. Fails with ErrorCode::model when there are none.
std::vector<AdapterOptions> list_adapters(const std::string& dir);

// This process's evaluation settings and CPU backend (its compute profile's). Files record
// compute_id(): the llama.cpp release, the profile, and a hash of this signature.
std::string compute_signature();
std::string compute_id();
// Whether this process evaluates as the one that wrote a file with this compute id (any KV cache setting
// it supports: Q8_0, or F16 for files from before and for models whose head sizes Q8_0 cannot hold).
bool compute_known(const std::string& id);
// The profile a compute id names (ids from before profiles name the native one).
Compute compute_profile_of(const std::string& id);

}  // namespace llmz
