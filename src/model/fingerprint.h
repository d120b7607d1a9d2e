// A model's identity: XXH3-128 of the tensor data of its GGUF file (metadata edits that do not change
// the weights keep the fingerprint). Hashing a few hundred MB takes a moment, so results are cached in
// $XDG_CACHE_HOME/llmz/fingerprints.tsv (or ~/.cache/...), keyed by path, size, mtime and inode.
#pragma once
#include <string>

namespace llmz {

std::string model_fingerprint(const std::string& gguf_path);

}  // namespace llmz
