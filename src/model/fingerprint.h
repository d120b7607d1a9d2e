// A model's identity: XXH3-128 of the tensor data of its GGUF file (metadata edits that do not change
// the weights keep the fingerprint). Hashing a few hundred MB takes a moment, so results are cached in
// $XDG_CACHE_HOME/llmz/fingerprints.tsv (or ~/.cache/...), keyed by path, size, mtime and inode.
#pragma once
#include <memory>
#include <string>

#include "gguf.h"

namespace llmz {

using GgufMetadata = std::unique_ptr<gguf_context, decltype(&gguf_free)>;
// The GGUF header and tensor table (no tensor data); fails with a model error if unreadable.
GgufMetadata open_gguf_metadata(const std::string& path);

std::string model_fingerprint(const std::string& gguf_path);

// True when the GGUF's general.type is "adapter" (a LoRA adapter, not a model).
bool is_adapter_metadata(const gguf_context* meta);

}  // namespace llmz
