#include <xxhash.h>

#include <algorithm>
#include <sstream>

#include "coding/container.h"
#include "common/error.h"
#include "lossless/codec_settings.h"
#include "lossless/coded.h"
#include "lossless/token_streams.h"
#include "lossless/zstd_chunk.h"
#include "model/evaluator.h"

namespace llmz {

namespace {

std::string describe(const std::vector<AdapterRef>& adapters) {
  if (adapters.empty()) return "no LoRA adapter";
  std::string s;
  for (const auto& a : adapters)
    s += (s.empty() ? "" : ", ") + ("\"" + a.name + "\" (fingerprint " + to_hex(a.fingerprint) + ", scale " +
                                    (std::ostringstream() << a.scale).str() + ")");
  return s;
}

void check_adapters(const Header& h, const std::vector<AdapterInfo>& loaded) {
  const std::vector<AdapterRef> here = adapter_refs(loaded);
  const bool same =
      std::equal(h.adapters.begin(), h.adapters.end(), here.begin(), here.end(),
                 [](const auto& a, const auto& b) { return a.fingerprint == b.fingerprint && a.scale == b.scale; });
  if (!same)
    fail(ErrorCode::model, "wrong LoRA adapters: the file was compressed with " + describe(h.adapters) + ", but " +
                               describe(here) + " was given (--lora FILE[:SCALE] or --lora-dir DIR)");
}

void check_model(const Header& h, const detail::LoadedModel& m) {
  if (to_hex(h.model_fingerprint) != m.fingerprint())
    fail(ErrorCode::model, "wrong model: the file was compressed with \"" + h.model_name + "\" (fingerprint " +
                               to_hex(h.model_fingerprint) + "), but " + m.path() + " has fingerprint " +
                               m.fingerprint());
  if (h.tokenizer_hash != m.tokenizer_hash() || h.n_vocab != m.n_vocab())
    fail(ErrorCode::model, "wrong model: same weights but a different tokenizer than the file was made with");
  check_adapters(h, m.adapters());
}

void check_context(const Header& h, const std::vector<llama_token>& prefix) {
  if (h.prefix_tokens == prefix.size() && h.prefix_hash == prefix_hash(prefix)) return;
  if (h.prefix_tokens > 1 && prefix.size() == 1)
    fail(ErrorCode::usage, "this file was compressed with a context: give the same one (--context-file)");
  fail(ErrorCode::usage, "the context differs from the one this file was compressed with");
}

[[noreturn]] void mismatch(const Header& h, const std::string& what) {
  // A compute id this build knows means the same evaluation: then only damage explains a mismatch.
  const std::string cause =
      detail::Evaluator::kv_cache_named(h.compute)
          ? "the file is damaged"
          : "the file is damaged, or it was made with another llama.cpp build or CPU kind (file: " +
                detail::Evaluator::compute_id(h.compute) + "; here: " + detail::Evaluator::compute_id() +
                ", see llmz --version)";
  fail(ErrorCode::corrupt, what + " does not match its checksum: " + cause);
}

}  // namespace

std::vector<uint8_t> detail::decompress_parts(const Model& model, const Header& h,
                                              std::span<const std::span<const uint8_t>> payloads,
                                              const DecompressOptions& options) {
  const detail::LoadedModel& m = detail::loaded_model(model);
  check_model(h, m);
  detail::require_compute_profile(h.compute, m);
  const std::vector<llama_token> prefix = m.context_prefix(options.context);
  check_context(h, prefix);
  if (options.streams < 1 || options.streams > kMaxStreams)
    fail(ErrorCode::usage, "streams must be between 1 and " + std::to_string(kMaxStreams));
  if (h.window_tokens < kMinWindowTokens ||
      !window_fits(h.prefix_tokens, h.window_tokens, llama_model_n_ctx_train(m.model())))
    fail(ErrorCode::corrupt, "file is damaged (window larger than the model's context)");

  std::vector<TokenStream> streams;
  uint64_t total_tokens = 0;
  uint32_t longest = 0;
  for (size_t i = 0; i < h.chunks.size(); i++) {
    if (h.chunks[i].kind != ChunkKind::llm) continue;
    streams.push_back(TokenStream::for_decoding(payloads[i], h.chunks[i].tokens, h.mixing));
    total_tokens += h.chunks[i].tokens;
    longest = std::max(longest, std::min(h.window_tokens, h.chunks[i].tokens));
  }
  if (!streams.empty()) {
    detail::Evaluator evaluator(m, uint32_t(std::min<size_t>(options.streams, streams.size())),
                                slot_capacity(h.prefix_tokens, longest), detail::Evaluator::kv_cache_named(h.compute));
    code_token_streams(evaluator, prefix, {h.window_tokens, h.window_overlap, h.sliding_window}, h.cdf_bits, streams,
                       [&](uint64_t done) {
                         if (options.progress) options.progress(h.original_size * done / total_tokens, h.original_size);
                       });
  }

  std::vector<uint8_t> out;
  size_t next_stream = 0;
  for (size_t i = 0; i < h.chunks.size(); i++) {
    const ChunkEntry& c = h.chunks[i];
    const size_t start = out.size();
    if (c.kind == ChunkKind::llm) {
      const TokenStream& st = streams[next_stream++];
      for (llama_token t : st.tokens()) {
        const std::string& p = m.piece(t);
        out.insert(out.end(), p.begin(), p.end());
        if (out.size() - start > c.size) break;
      }
    } else if (c.kind == ChunkKind::zstd) {
      append_zstd_chunk(out, payloads[i], c.size, i);
    } else {
      out.insert(out.end(), payloads[i].begin(), payloads[i].end());
    }
    auto bytes = std::span<const uint8_t>(out).subspan(start);
    if (bytes.size() != c.size || chunk_checksum(bytes) != c.checksum) mismatch(h, "chunk " + std::to_string(i));
  }
  if (input_checksum(out) != h.input_checksum) mismatch(h, "the decompressed data");
  return out;
}

std::vector<uint8_t> decompress(const Model& model, std::span<const uint8_t> file, const DecompressOptions& options) {
  size_t offset = 0;
  const Header h = read_header(file, offset);
  return detail::decompress_parts(model, h, chunk_payloads(h, file, offset), options);
}

FileInfo inspect(std::span<const uint8_t> file) {
  size_t offset = 0;
  const Header h = read_header(file, offset);
  FileInfo info;
  info.format_version = h.version;
  info.adapters = adapter_infos(h.adapters);
  if (h.route) {
    info.route = h.route->mode == RouteMode::prompt_profile ? "prompt-profile"
                 : h.route->mode == RouteMode::prompt_alone ? "prompt"
                                                            : "best";
    info.route_candidates = h.route->candidates;
  }
  info.model_name = h.model_name;
  info.model_fingerprint = to_hex(h.model_fingerprint);
  info.tokenizer_hash = h.tokenizer_hash;
  info.vocab_size = h.n_vocab;
  info.cdf_bits = h.cdf_bits;
  info.window_tokens = h.window_tokens;
  info.window_overlap = h.window_overlap;
  info.sliding_window = h.sliding_window;
  info.mixing = h.mixing;
  info.streams = h.streams;
  info.has_context = h.prefix_tokens > 1;
  info.context_hash = h.prefix_hash;
  info.context_tokens = h.prefix_tokens - 1;
  info.compute = detail::Evaluator::compute_id(h.compute);
  info.compute_profile = compute_profile_of(h.compute);
  info.original_size = h.original_size;
  info.file_size = file.size();
  info.header_size = offset;
  info.input_checksum = h.input_checksum;
  if (h.lossy) {
    info.lossy = true;
    info.lossy_method = h.lossy->method;
    info.lossy_original_size = h.lossy->original_size;
    info.lossy_original_checksum = h.lossy->original_checksum;
    info.rewriter_name = h.lossy->rewriter_name;
    info.rewriter_fingerprint = to_hex(h.lossy->rewriter_fingerprint);
    info.rewrite_prompts_version = h.lossy->prompts_version;
    info.candidates = h.lossy->candidates;
    info.seed = h.lossy->seed;
  }
  for (const auto& c : h.chunks) {
    if (c.kind == ChunkKind::llm) info.llm_chunks++, info.llm_bytes += c.size, info.llm_tokens += c.tokens;
    if (c.kind == ChunkKind::zstd) info.zstd_chunks++;
    if (c.kind == ChunkKind::stored) info.stored_chunks++;
  }
  return info;
}

}  // namespace llmz
