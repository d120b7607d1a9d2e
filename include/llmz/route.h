// llmz public API: routing, one LoRA adapter per file chosen among a folder of candidates
// (docs/FORMAT.md, "Routing").
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "llmz/llmz.h"

namespace llmz {

// Routing: one adapter per file, chosen among candidates (a folder of domain adapters for the model).
//   prompt: from the context (the prompt) alone, so it costs no bits: the decoder repeats the choice.
//           When every candidate stores the profile of its training prompts (`llmz lora train` on
//           prompt/response records, or `llmz lora profile`), the adapter whose profile makes the
//           prompt's tokens most likely; otherwise the adapter under which the prompt codes into the
//           fewest bytes.
//   best:   the adapter that codes the input itself into the fewest bytes; the file names it
//           (log2 of the number of candidates in information).
// Ties go to the earlier candidate.
enum class Route { prompt, best };

// Compresses with the base model (ModelOptions::adapters empty) plus the routed candidate.
std::vector<uint8_t> compress_routed(const ModelOptions& base, const std::vector<AdapterOptions>& candidates,
                                     Route route, std::span<const uint8_t> input, const CompressOptions& options);
// The adapters a file needs, found in dir by fingerprint; for a prompt-routed file also routed again
// from the context among dir's adapters, which must make the same choice the encoder made.
std::vector<AdapterOptions> adapters_for_decoding(std::span<const uint8_t> file, const std::string& dir,
                                                  const ModelOptions& base, const std::string& context);

}  // namespace llmz
