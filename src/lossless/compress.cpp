#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <optional>

#include "coding/cdf.h"
#include "coding/container.h"
#include "common/error.h"
#include "lossless/chunk_plan.h"
#include "lossless/codec_settings.h"
#include "lossless/coded.h"
#include "lossless/token_streams.h"
#include "model/evaluator.h"

namespace llmz {

namespace {

constexpr int kZstdLevel = 19;
// Text that zstd alone codes below this many bits per byte is mostly repeats (a run of one
// character, a log that repeats its lines): it goes to zstd without the model, which would spend
// minutes to hours on it for at best a few bytes less. Text coded by the model is far above it.
constexpr double kScreenBitsPerByte = 0.1;

std::vector<uint8_t> zstd_compress(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> out(ZSTD_compressBound(bytes.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), kZstdLevel);
  if (ZSTD_isError(n)) fail(ErrorCode::io, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// The classical coding of a chunk: zstd, or the bytes themselves where zstd does not shrink them.
std::vector<uint8_t> classic_payload(std::span<const uint8_t> bytes, ChunkEntry& e) {
  std::vector<uint8_t> payload = zstd_compress(bytes);
  e.kind = ChunkKind::zstd;
  e.tokens = 0;
  if (payload.size() >= bytes.size()) {
    e.kind = ChunkKind::stored;
    payload.assign(bytes.begin(), bytes.end());
  }
  return payload;
}

void check_options(const detail::LoadedModel& m, const CompressOptions& o, uint32_t prefix_tokens) {
  if (o.streams < 1 || o.streams > kMaxStreams)
    fail(ErrorCode::usage, "streams must be between 1 and " + std::to_string(kMaxStreams));
  if (o.window_tokens < kMinWindowTokens)
    fail(ErrorCode::usage, "the window must be at least " + std::to_string(kMinWindowTokens) + " tokens");
  if (o.window_overlap >= o.window_tokens) fail(ErrorCode::usage, "the window overlap must be smaller than the window");
  if (!window_fits(prefix_tokens, o.window_tokens, llama_model_n_ctx_train(m.model())))
    fail(ErrorCode::usage, "a window of " + std::to_string(o.window_tokens) + " tokens plus a context of " +
                               std::to_string(prefix_tokens) + " tokens exceeds the model's context of " +
                               std::to_string(llama_model_n_ctx_train(m.model())) + " tokens");
}

}  // namespace

namespace detail {

uint64_t Coded::payload_bytes() const {
  uint64_t n = 0;
  for (const auto& p : payloads) n += p.size();
  return n;
}

std::vector<uint8_t> Coded::file() const {
  std::vector<uint8_t> out = write_header(header);
  for (const auto& p : payloads) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Header model_header(const Model& model) {
  const detail::LoadedModel& m = detail::loaded_model(model);
  Header h;
  h.model_fingerprint = fingerprint_from_hex(m.fingerprint());
  h.model_name = m.name();
  h.tokenizer_hash = m.tokenizer_hash();
  h.n_vocab = m.n_vocab();
  h.compute = detail::Evaluator::compute_id(detail::Evaluator::kv_cache_for(m));
  h.adapters = adapter_refs(m.adapters());
  return h;
}

Coded compress_coded(const Model& model, std::span<const uint8_t> input, const CompressOptions& options) {
  const detail::LoadedModel& m = detail::loaded_model(model);
  const std::vector<llama_token> prefix = m.context_prefix(options.context);
  check_options(m, options, uint32_t(prefix.size()));

  Header h = model_header(model);
  h.cdf_bits = kDefaultCdfBits;
  h.window_tokens = options.window_tokens;
  h.window_overlap = options.window_overlap;
  h.sliding_window = options.sliding_window;
  if (options.mixing & ~mix_all) fail(ErrorCode::usage, "unknown mixing parts");
  h.mixing = options.mixing;
  h.streams = options.streams;
  h.prefix_hash = prefix_hash(prefix);
  h.prefix_tokens = uint32_t(prefix.size());
  const detail::KvCache kv = detail::Evaluator::kv_cache_for(m);  // named in the header, used below
  h.original_size = input.size();
  h.input_checksum = input_checksum(input);

  std::vector<PlannedChunk> plan = plan_chunks(m, input, options.window_tokens, options.streams);
  // Each text chunk's classical coding, the alternative to the model's (unless always_model); a chunk
  // that it codes tiny is screened: not given to the model at all.
  struct Classic {
    ChunkEntry entry;
    std::vector<uint8_t> payload;
    bool screened;
  };
  std::vector<std::optional<Classic>> classic(plan.size());
  for (size_t i = 0; i < plan.size() && !options.always_model; i++) {
    if (plan[i].kind != ChunkKind::llm) continue;
    auto bytes = input.subspan(plan[i].offset, plan[i].size);
    Classic& c = classic[i].emplace(Classic{{ChunkKind::zstd, plan[i].size, 0, 0, chunk_checksum(bytes)}, {}, false});
    c.payload = classic_payload(bytes, c.entry);
    c.screened = 8.0 * double(c.payload.size()) < kScreenBitsPerByte * double(plan[i].size);
  }
  auto screened = [&](size_t i) { return classic[i] && classic[i]->screened; };
  std::vector<TokenStream> streams;
  uint64_t total_tokens = 0;
  uint32_t longest = 0;
  for (size_t i = 0; i < plan.size(); i++) {
    auto& c = plan[i];
    if (c.kind != ChunkKind::llm || screened(i)) continue;
    total_tokens += c.tokens.size();
    longest = std::max(longest, std::min(options.window_tokens, uint32_t(c.tokens.size())));
    streams.push_back(TokenStream::for_encoding(std::move(c.tokens), h.mixing));
  }
  if (!streams.empty()) {
    detail::Evaluator evaluator(m, uint32_t(std::min<size_t>(options.streams, streams.size())),
                                slot_capacity(h.prefix_tokens, longest), kv);
    code_token_streams(evaluator, prefix, {h.window_tokens, h.window_overlap, h.sliding_window}, h.cdf_bits, streams,
                       [&](uint64_t done) {
                         if (options.progress) options.progress(input.size() * done / total_tokens, input.size());
                       });
  }

  std::vector<std::vector<uint8_t>> payloads;
  size_t next_stream = 0;
  for (size_t i = 0; i < plan.size(); i++) {
    const auto& c = plan[i];
    auto bytes = input.subspan(c.offset, c.size);
    ChunkEntry e{c.kind, c.size, 0, 0, chunk_checksum(bytes)};
    std::vector<uint8_t> payload;
    if (screened(i)) {
      e = classic[i]->entry;
      payload = std::move(classic[i]->payload);
    } else if (c.kind == ChunkKind::llm) {
      e.tokens = streams[next_stream].size();
      payload = streams[next_stream++].finish_encoding();
      if (classic[i] && classic[i]->payload.size() < payload.size())
        e = classic[i]->entry, payload = std::move(classic[i]->payload);
    } else {
      payload = classic_payload(bytes, e);
    }
    e.payload_size = uint32_t(payload.size());
    h.chunks.push_back(e);
    payloads.push_back(std::move(payload));
  }

  return {std::move(h), std::move(payloads)};
}

}  // namespace detail

std::vector<uint8_t> compress(const Model& model, std::span<const uint8_t> input, const CompressOptions& options) {
  return detail::compress_coded(model, input, options).file();
}

}  // namespace llmz
