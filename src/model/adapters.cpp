// Finding LoRA adapters by fingerprint, so that a receiver can keep them in a folder under any name.
#include <filesystem>
#include <map>

#include "common/error.h"
#include "llmz/llmz.h"
#include "model/fingerprint.h"
#include "model/loaded_model.h"

namespace llmz {

std::vector<AdapterOptions> find_adapters(const std::vector<AdapterInfo>& needed, const std::string& dir) {
  namespace fs = std::filesystem;
  detail::init_llama_backend();  // quiets ggml's log: a .gguf that is not GGUF gets one message, ours
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail(ErrorCode::model, "LoRA adapter folder not found: " + dir);
  std::map<std::string, std::string> by_fingerprint;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".gguf") {
      try {
        by_fingerprint.emplace(model_fingerprint(entry.path().string()), entry.path().string());
      } catch (const Error&) {  // not a GGUF file after all: not one of ours
      }
    }
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
