#include "model/fingerprint.h"

#include <sys/stat.h>
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "common/error.h"
#include "gguf.h"

namespace llmz {

namespace {

std::filesystem::path cache_file() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path base = xdg && *xdg ? xdg : (home ? std::filesystem::path(home) / ".cache" : "/tmp");
  return base / "llmz" / "fingerprints.tsv";
}

std::string hash_tensor_data(const std::string& path) {
  const size_t offset = gguf_get_data_offset(open_gguf_metadata(path).get());
  std::unique_ptr<FILE, decltype(&fclose)> f(fopen(path.c_str(), "rb"), fclose);
  if (!f || fseeko(f.get(), off_t(offset), SEEK_SET) != 0) fail(ErrorCode::model, path + ": cannot read model file");
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), XXH3_freeState);
  XXH3_128bits_reset(state.get());
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f.get())) > 0) XXH3_128bits_update(state.get(), buf.data(), n);
  if (ferror(f.get())) fail(ErrorCode::model, path + ": read error");
  XXH128_hash_t h = XXH3_128bits_digest(state.get());
  char hex[33];
  snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
  return hex;
}

}  // namespace

GgufMetadata open_gguf_metadata(const std::string& path) {
  gguf_init_params params{/*no_alloc=*/true, /*ctx=*/nullptr};
  GgufMetadata ctx(gguf_init_from_file(path.c_str(), params), gguf_free);
  if (!ctx) fail(ErrorCode::model, path + ": not a readable GGUF model file");
  return ctx;
}

std::string model_fingerprint(const std::string& gguf_path) {
  struct stat st {};
  if (stat(gguf_path.c_str(), &st) != 0) fail(ErrorCode::model, gguf_path + ": model file not found");
  std::error_code ec;
  std::string real = std::filesystem::canonical(gguf_path, ec).string();
  std::ostringstream key;
  key << real << '\t' << st.st_size << '\t' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << '\t' << st.st_ino;

  auto cache = cache_file();
  {
    std::ifstream in(cache);
    std::string line;
    while (std::getline(in, line)) {
      auto tab = line.rfind('\t');
      std::string fp = tab == std::string::npos ? "" : line.substr(tab + 1);
      if (tab == key.str().size() && line.compare(0, tab, key.str()) == 0 && fp.size() == 32 &&
          fp.find_first_not_of("0123456789abcdef") == std::string::npos)
        return fp;
    }
  }
  std::string fp = hash_tensor_data(gguf_path);
  // Best effort: a read-only cache only costs time.
  std::filesystem::create_directories(cache.parent_path(), ec);
  std::ofstream(cache, std::ios::app) << key.str() << '\t' << fp << '\n';
  return fp;
}

bool is_adapter_metadata(const gguf_context* meta) {
  const int64_t key = gguf_find_key(meta, "general.type");
  return key >= 0 && gguf_get_kv_type(meta, key) == GGUF_TYPE_STRING &&
         std::string(gguf_get_val_str(meta, key)) == "adapter";
}

}  // namespace llmz
