// Finding LoRA adapters by fingerprint, so that a receiver can keep them in a folder under any name.
#include <filesystem>
#include <map>

#include "common/error.h"
#include "llmz/llmz.h"
#include "model/fingerprint.h"
#include "model/loaded_model.h"

namespace llmz {

namespace {

bool is_adapter(const std::string& path) {
  try {
    return is_adapter_metadata(open_gguf_metadata(path).get());
  } catch (const Error&) {  // not a GGUF file after all: not one of ours
    return false;
  }
}

// The adapter files of a folder by fingerprint (ordered).
std::map<std::string, std::string> adapters_by_fingerprint(const std::string& dir) {
  namespace fs = std::filesystem;
  detail::init_llama_backend();  // quiets ggml's log: a .gguf that is not GGUF gets one message, ours
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail(ErrorCode::model, "LoRA adapter folder not found: " + dir);
  std::map<std::string, std::string> by_fingerprint;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".gguf" && is_adapter(entry.path().string()))
      by_fingerprint.emplace(model_fingerprint(entry.path().string()), entry.path().string());
  return by_fingerprint;
}

}  // namespace

std::vector<AdapterOptions> list_adapters(const std::string& dir) {
  std::vector<AdapterOptions> out;
  for (const auto& [fingerprint, path] : adapters_by_fingerprint(dir)) out.push_back({path, 1.0f});
  if (out.empty()) fail(ErrorCode::model, "no LoRA adapters in " + dir);
  return out;
}

std::vector<AdapterOptions> find_adapters(const std::vector<AdapterInfo>& needed, const std::string& dir) {
  const auto by_fingerprint = adapters_by_fingerprint(dir);
  std::vector<AdapterOptions> out;
  for (const auto& a : needed) {
    auto it = by_fingerprint.find(a.fingerprint);
    if (it == by_fingerprint.end())
      fail(ErrorCode::model, "LoRA adapter \"" + a.name + "\" (fingerprint " + a.fingerprint + ") is not in " + dir);
    out.push_back({it->second, a.scale});
  }
  return out;
}

}  // namespace llmz
