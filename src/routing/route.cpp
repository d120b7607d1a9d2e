// Routing among domain adapters (docs/LORA.md): by the prompt alone, or by trying every adapter.
#include "llmz/route.h"

#include <xxhash.h>

#include <optional>

#include "coding/container.h"
#include "common/bytes.h"
#include "common/error.h"
#include "lossless/codec_settings.h"
#include "lossless/coded.h"
#include "model/fingerprint.h"
#include "model/loaded_model.h"
#include "routing/prompt_profile.h"

namespace llmz {

namespace {

using Profiles = std::optional<std::vector<lora::PromptProfile>>;

// Each candidate's training-prompt profile, in order. When one has none: fails naming it if the
// profiles are required (decoding a file routed by them), else none.
Profiles prompt_profiles(const std::vector<AdapterOptions>& candidates, bool required) {
  std::vector<lora::PromptProfile> out;
  for (const auto& c : candidates) {
    auto p = lora::read_prompt_profile(c.path);
    if (!p && !required) return std::nullopt;
    if (!p)
      fail(ErrorCode::model,
           c.path + " records no training prompts, which routing by prompt profile needs " +
               "(adapters trained with `llmz lora train` on prompt/response .jsonl records have them)");
    out.push_back(std::move(*p));
  }
  return out;
}

// What the header records of the candidates: both ends must route among the same ones (and, routing
// by profiles, with the same profiles).
std::array<uint8_t, 16> candidate_set(const std::vector<AdapterOptions>& candidates, const Profiles& profiles) {
  ByteWriter w;
  for (size_t k = 0; k < candidates.size(); k++) {
    w.bytes(fingerprint_from_hex(model_fingerprint(candidates[k].path)));
    if (profiles) w.u64((*profiles)[k].hash());
  }
  XXH128_canonical_t out;
  XXH128_canonicalFromHash(&out, XXH3_128bits(w.data().data(), w.data().size()));
  std::array<uint8_t, 16> set;
  std::copy(std::begin(out.digest), std::end(out.digest), set.begin());
  return set;
}

Model with_adapter(const ModelOptions& base, const AdapterOptions& adapter) {
  ModelOptions o = base;
  o.adapters = {adapter};
  return Model::load(o);
}

void check_candidates(const ModelOptions& base, const std::vector<AdapterOptions>& candidates) {
  if (!base.adapters.empty()) fail(ErrorCode::usage, "routing chooses the adapter: give none besides the candidates");
  if (candidates.empty()) fail(ErrorCode::usage, "routing needs at least one candidate adapter");
}

// The candidate prompt routing picks from the context: by the profiles when given, else by coding
// the prompt under each. Both ways use only integer arithmetic (and fixed settings, whatever the
// file's: windows re-read, as when version 3 was written), so the decoder picks exactly what the encoder picked.
size_t route_prompt(const ModelOptions& base, const std::vector<AdapterOptions>& candidates, const std::string& context,
                    const Profiles& profiles) {
  check_candidates(base, candidates);
  if (context.empty()) fail(ErrorCode::usage, "prompt routing needs a context (--context-file)");
  if (profiles)
    return lora::most_likely_profile(
        *profiles, detail::loaded_model(Model::load(base)).tokenize(context, /*parse_special=*/false));
  // The prompt coded as a document under each adapter; always_model ranks by the model's bytes even
  // where zstd would code the prompt smaller.
  const auto text = std::span(reinterpret_cast<const uint8_t*>(context.data()), context.size());
  size_t best = 0;
  uint64_t best_bytes = UINT64_MAX;
  for (size_t k = 0; k < candidates.size(); k++) {
    // Bytes of the coded chunks, without the header (whose size depends on the adapter's name).
    const uint64_t bytes =
        detail::compress_coded(with_adapter(base, candidates[k]), text,
                               {.sliding_window = false, .streams = 1, .always_model = true, .mixing = mix_none})
            .payload_bytes();
    if (bytes < best_bytes) best_bytes = bytes, best = k;  // ties: the first
  }
  return best;
}

}  // namespace

std::vector<uint8_t> compress_routed(const ModelOptions& base, const std::vector<AdapterOptions>& candidates,
                                     Route route, std::span<const uint8_t> input, const CompressOptions& options) {
  check_candidates(base, candidates);
  std::optional<detail::Coded> chosen;
  RouteMode mode = RouteMode::best;
  Profiles profiles;
  if (route == Route::prompt) {
    // By the profiles when every candidate has one, else by coding the prompt (as version 3 did).
    profiles = prompt_profiles(candidates, /*required=*/false);
    mode = profiles ? RouteMode::prompt_profile : RouteMode::prompt_alone;
    const size_t k = route_prompt(base, candidates, options.context, profiles);
    chosen = detail::compress_coded(with_adapter(base, candidates[k]), input, options);
  } else {
    uint64_t best_bytes = UINT64_MAX;
    for (size_t k = 0; k < candidates.size(); k++) {
      CompressOptions pass = options;  // one bar over all the passes
      if (options.progress)
        pass.progress = [&](uint64_t done, uint64_t total) {
          options.progress(k * total + done, candidates.size() * total);
        };
      auto coded = detail::compress_coded(with_adapter(base, candidates[k]), input, pass);
      if (const uint64_t bytes = coded.payload_bytes(); bytes < best_bytes)
        best_bytes = bytes, chosen = std::move(coded);
    }
  }
  chosen->header.route = RouteRef{mode, uint32_t(candidates.size()), candidate_set(candidates, profiles)};
  return chosen->file();
}

std::vector<AdapterOptions> adapters_for_decoding(std::span<const uint8_t> file, const std::string& dir,
                                                  const ModelOptions& base, const std::string& context) {
  size_t offset = 0;
  const Header h = read_header(file, offset);
  const std::vector<AdapterInfo> needed = adapter_infos(h.adapters);
  if (!h.route || !routed_by_prompt(h.route->mode)) return find_adapters(needed, dir);

  const std::vector<AdapterOptions> candidates = list_adapters(dir);
  const Profiles profiles =
      h.route->mode == RouteMode::prompt_profile ? prompt_profiles(candidates, /*required=*/true) : std::nullopt;
  if (candidate_set(candidates, profiles) != h.route->candidate_set)
    fail(ErrorCode::model, "the file's adapter was routed by prompt among " + std::to_string(h.route->candidates) +
                               " adapters; " + dir + " holds " + std::to_string(candidates.size()) +
                               " adapters that are not the same set (the decoder needs the encoder's folder)");
  const AdapterOptions& chosen = candidates[route_prompt(base, candidates, context, profiles)];
  if (model_fingerprint(chosen.path) != needed.front().fingerprint)
    fail(ErrorCode::corrupt, "prompt routing chose " + chosen.path + ", but the file names adapter \"" +
                                 needed.front().name + "\": the context differs, or the file is damaged");
  return {{chosen.path, needed.front().scale}};
}

}  // namespace llmz
