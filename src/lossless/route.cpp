// Routing among domain adapters (docs/LORA.md): by the prompt alone, or by trying every adapter.
#include <xxhash.h>

#include <optional>

#include "coding/container.h"
#include "common/error.h"
#include "llmz/llmz.h"
#include "lossless/codec_settings.h"
#include "model/fingerprint.h"

namespace llmz {

namespace {

// What the header records of the candidates: both ends must route among the same ones.
std::array<uint8_t, 16> candidate_set(const std::vector<AdapterOptions>& candidates) {
  std::vector<uint8_t> fingerprints;
  for (const auto& c : candidates) {
    const auto fp = fingerprint_from_hex(model_fingerprint(c.path));
    fingerprints.insert(fingerprints.end(), fp.begin(), fp.end());
  }
  XXH128_canonical_t out;
  XXH128_canonicalFromHash(&out, XXH3_128bits(fingerprints.data(), fingerprints.size()));
  std::array<uint8_t, 16> set;
  std::copy(std::begin(out.digest), std::end(out.digest), set.begin());
  return set;
}

Model with_adapter(const ModelOptions& base, const AdapterOptions& adapter) {
  ModelOptions o = base;
  o.adapters = {adapter};
  return Model::load(o);
}

// Bytes of the coded chunks, without the header (whose size depends on the adapter's name).
uint64_t coded_bytes(std::span<const uint8_t> file) {
  size_t offset = 0;
  read_header(file, offset);
  return file.size() - offset;
}

void check_candidates(const ModelOptions& base, const std::vector<AdapterOptions>& candidates) {
  if (!base.adapters.empty()) fail(ErrorCode::usage, "routing chooses the adapter: give none besides the candidates");
  if (candidates.empty()) fail(ErrorCode::usage, "routing needs at least one candidate adapter");
}

// Prompt routing's choice, with the model already loaded with it (the encoder codes with it next).
struct PromptRoute {
  size_t index = 0;
  std::optional<Model> model;
};

PromptRoute route_prompt(const ModelOptions& base, const std::vector<AdapterOptions>& candidates, const std::string& context) {
  check_candidates(base, candidates);
  if (context.empty()) fail(ErrorCode::usage, "prompt routing needs a context (--context-file)");
  const auto text = std::span(reinterpret_cast<const uint8_t*>(context.data()), context.size());
  // Fixed settings, whatever the file's: the decoder must score exactly as the encoder did.
  // always_model: the adapters are ranked by the model's bits even where zstd would code the prompt smaller.
  const CompressOptions scoring{.streams = 1, .always_model = true};
  PromptRoute best;
  uint64_t best_bytes = UINT64_MAX;
  for (size_t k = 0; k < candidates.size(); k++) {
    Model m = with_adapter(base, candidates[k]);
    if (const uint64_t bytes = coded_bytes(compress(m, text, scoring)); bytes < best_bytes)
      best_bytes = bytes, best.index = k, best.model = std::move(m);
  }
  return best;
}

}  // namespace

size_t route_by_prompt(const ModelOptions& base, const std::vector<AdapterOptions>& candidates, const std::string& context) {
  return route_prompt(base, candidates, context).index;
}

std::vector<uint8_t> compress_routed(const ModelOptions& base, const std::vector<AdapterOptions>& candidates, Route route,
                                     std::span<const uint8_t> input, const CompressOptions& options) {
  check_candidates(base, candidates);
  std::vector<uint8_t> file;
  if (route == Route::prompt) {
    file = compress(*route_prompt(base, candidates, options.context).model, input, options);
  } else {
    uint64_t best_bytes = UINT64_MAX;
    for (size_t k = 0; k < candidates.size(); k++) {
      CompressOptions pass = options;  // one bar over all the passes
      if (options.progress)
        pass.progress = [&](uint64_t done, uint64_t total) { options.progress(k * total + done, candidates.size() * total); };
      auto out = compress(with_adapter(base, candidates[k]), input, pass);
      if (const uint64_t bytes = coded_bytes(out); bytes < best_bytes) best_bytes = bytes, file = std::move(out);
    }
  }
  size_t offset = 0;
  Header h = read_header(file, offset);
  h.route = RouteRef{route == Route::prompt ? RouteMode::prompt : RouteMode::best, uint32_t(candidates.size()),
                     candidate_set(candidates)};
  std::vector<uint8_t> routed = write_header(h);
  routed.insert(routed.end(), file.begin() + std::ptrdiff_t(offset), file.end());
  return routed;
}

std::vector<AdapterOptions> adapters_for_decoding(std::span<const uint8_t> file, const std::string& dir,
                                                  const ModelOptions& base, const std::string& context) {
  size_t offset = 0;
  const Header h = read_header(file, offset);
  const std::vector<AdapterInfo> needed = adapter_infos(h.adapters);
  if (!h.route || h.route->mode != RouteMode::prompt) return find_adapters(needed, dir);

  const std::vector<AdapterOptions> candidates = list_adapters(dir);
  if (candidate_set(candidates) != h.route->candidate_set)
    fail(ErrorCode::model, "the file's adapter was routed by prompt among " + std::to_string(h.route->candidates) +
                               " adapters; " + dir + " holds " + std::to_string(candidates.size()) +
                               " adapters that are not the same set (the decoder needs the encoder's folder)");
  const AdapterOptions& chosen = candidates[route_by_prompt(base, candidates, context)];
  if (model_fingerprint(chosen.path) != needed.front().fingerprint)
    fail(ErrorCode::corrupt, "prompt routing chose " + chosen.path + ", but the file names adapter \"" +
                                 needed.front().name + "\": the context differs, or the file is damaged");
  return {{chosen.path, needed.front().scale}};
}

}  // namespace llmz
