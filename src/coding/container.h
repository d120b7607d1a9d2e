// The .llmz container (docs/FORMAT.md): a checked header that records everything that changes the
// probabilities, a table of chunks, then the chunks' payloads.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace llmz {

inline constexpr std::array<uint8_t, 4> kMagic = {'L', 'L', 'M', 'Z'};
// Version 2 added the LoRA adapter list, version 3 how the adapter was routed, version 4 routing by
// the adapters' training-prompt profiles. Version 5 is the frame (coding/frame.h): the same fields
// in typed records. Version 6 adds online mixing: its files are mixed with every part of mixer
// version 1 unless a mixing record says otherwise (so the default costs no header bytes). Files are
// written as version 6; all six are read.
inline constexpr uint8_t kFormatVersion = 6;

// The mixing record's version of the mixer's arithmetic (lossless/mixer.cpp): any change to what it
// computes needs a new number, and readers refuse numbers they do not know.
inline constexpr uint8_t kMixerVersion = 1;
inline constexpr uint8_t kFirstMixedVersion = 6;  // files from this version on mix unless a record says otherwise

enum class ChunkKind : uint8_t {
  llm = 0,     // range-coded tokens under the model
  zstd = 1,    // bytes the tokenizer cannot reproduce, compressed with zstd
  stored = 2,  // bytes zstd cannot shrink, kept as they are
};

struct ChunkEntry {
  ChunkKind kind = ChunkKind::stored;
  uint32_t size = 0;          // bytes of input this chunk stands for
  uint32_t tokens = 0;        // llm chunks: tokens coded
  uint32_t payload_size = 0;  // bytes of the payload in the file
  uint32_t checksum = 0;      // low 32 bits of XXH3-64 of the chunk's input bytes
};

// A lossy file codes a rewrite of the input, not the input: what was sent and how it was chosen.
struct LossyInfo {
  std::string method;  // "rewrite", "best-of-N rewrite", "shortest-of-N"
  uint64_t original_size = 0;
  uint64_t original_checksum = 0;  // XXH3-64 of the original input
  std::string rewriter_name;
  std::array<uint8_t, 16> rewriter_fingerprint{};
  std::string prompts_version;
  uint64_t prompts_hash = 0;
  uint32_t candidates = 1;  // texts tried; the one with the fewest coded bytes was kept
  uint64_t seed = 0;        // sampling seed of the candidates after the first (greedy) one
};

struct AdapterRef {
  std::array<uint8_t, 16> fingerprint{};  // XXH3-128 of the adapter's tensor data
  std::string name;
  float scale = 1.0f;
};

// How the adapter was chosen among a folder's candidates (version 3).
// Prompt routing decides from the context alone, and the decoder makes the same choice again.
enum class RouteMode : uint8_t {
  prompt_alone = 1,    // the adapter that codes the prompt, as a document, smallest (version 3)
  best = 2,            // the adapter that coded the input smallest: the header's adapter is the choice
  prompt_profile = 3,  // the adapter whose training prompts make the prompt most likely (version 4)
};
inline bool routed_by_prompt(RouteMode m) { return m == RouteMode::prompt_alone || m == RouteMode::prompt_profile; }
struct RouteRef {
  RouteMode mode = RouteMode::prompt_profile;
  uint32_t candidates = 0;                  // K: choosing one costs log2(K) bits for `best`
  std::array<uint8_t, 16> candidate_set{};  // XXH3-128 of the candidates' fingerprints, in their order
};

struct Header {
  uint8_t version = 0;  // as read; write_header writes kFormatVersion
  std::array<uint8_t, 16> model_fingerprint{};
  std::string model_name;
  uint64_t tokenizer_hash = 0;
  uint32_t n_vocab = 0;
  uint32_t cdf_bits = 0;
  uint32_t window_tokens = 0;   // tokens of a chunk the model sees at once
  uint32_t window_overlap = 0;  // tokens carried as context into each next window
  bool sliding_window = false;  // the overlap stays in the cache, shifted (version 5's window record)
  uint8_t mixing = 0;           // MixParts mixed with the LLM (the mixing record), 0 for none
  uint32_t streams = 0;         // the encoder's lock-step width (the decoder may use another)
  uint64_t prefix_hash = 0;     // XXH3-64 of the token ids that start every sequence
  uint32_t prefix_tokens = 0;   // 1 = start token only; more = a context was given
  std::string compute;          // llama.cpp release, CPU features, evaluation settings
  uint64_t original_size = 0;
  uint64_t input_checksum = 0;       // XXH3-64 of the whole input
  std::vector<AdapterRef> adapters;  // LoRA adapters applied on top of the model, in order
  std::optional<RouteRef> route;     // set when the one adapter was routed
  std::optional<LossyInfo> lossy;    // set for lossy files (mode 1)
  std::vector<ChunkEntry> chunks;
};

std::vector<uint8_t> write_header(const Header& h);
// Parses and checks the header; `offset` receives where the payloads start.
Header read_header(std::span<const uint8_t> file, size_t& offset);
// Each chunk's payload, checked against the file: none runs past its end, and the file ends exactly
// after the last one.
std::vector<std::span<const uint8_t>> chunk_payloads(const Header& h, std::span<const uint8_t> file, size_t offset);

uint32_t chunk_checksum(std::span<const uint8_t> bytes);
uint64_t input_checksum(std::span<const uint8_t> bytes);
std::string to_hex(std::span<const uint8_t> bytes);
std::array<uint8_t, 16> fingerprint_from_hex(const std::string& hex);

}  // namespace llmz
