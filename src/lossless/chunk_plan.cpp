#include "lossless/chunk_plan.h"

#include <algorithm>
#include <string_view>

#include "common/text.h"
#include "lossless/codec_settings.h"

namespace llmz {

namespace {

constexpr size_t kPieceBytes = 64 * 1024;  // text is tokenized in pieces of about this size
constexpr size_t kMinTextRun = 16;         // shorter text between binary bytes stays binary

// Cut point for the next text piece: the last line end within kPieceBytes, else the last character start.
size_t piece_end(std::span<const uint8_t> text) {
  if (text.size() <= kPieceBytes) return text.size();
  std::string_view view(reinterpret_cast<const char*>(text.data()), kPieceBytes);
  size_t nl = view.rfind('\n');
  if (nl != std::string_view::npos && nl > kPieceBytes / 2) return nl + 1;
  size_t end = kPieceBytes;
  while ((text[end] & 0xC0) == 0x80) end--;
  return end;
}

class Planner {
 public:
  Planner(const detail::LoadedModel& model, std::span<const uint8_t> input, uint32_t window_tokens, uint32_t streams)
      : model_(model), input_(input), window_tokens_(window_tokens), streams_(streams) {}

  std::vector<PlannedChunk> run() {
    size_t i = 0;
    while (i < input_.size()) {
      size_t t = text_prefix_length(input_.subspan(i));
      if (t >= kMinTextRun || (t > 0 && i + t == input_.size() && i == 0)) {
        add_text(i, t);
        i += t;
      } else {
        add_classic(i, std::max<size_t>(t, 1));
        i += std::max<size_t>(t, 1);
      }
    }
    flush_run();
    return std::move(chunks_);
  }

 private:
  void add_text(size_t begin, size_t size) {
    while (size > 0) {
      auto text = input_.subspan(begin, size);
      size_t n = piece_end(text);
      std::string_view piece(reinterpret_cast<const char*>(text.data()), n);
      auto tokens = model_.tokenize(piece, false);
      if (spells(tokens, piece)) {
        if (run_tokens_.empty()) run_begin_ = begin;
        run_tokens_.insert(run_tokens_.end(), tokens.begin(), tokens.end());
      } else {
        add_classic(begin, n);
      }
      begin += n;
      size -= n;
    }
  }

  bool spells(const std::vector<llama_token>& tokens, std::string_view text) const {
    size_t at = 0;
    for (llama_token t : tokens) {
      const std::string& p = model_.piece(t);
      if (p.empty() || text.compare(at, p.size(), p) != 0) return false;
      at += p.size();
    }
    return at == text.size();
  }

  // Bytes the tokenizer cannot handle: appended to the last chunk if it is classical too.
  void add_classic(size_t begin, size_t size) {
    flush_run();
    if (chunks_.empty() || chunks_.back().kind == ChunkKind::llm || chunks_.back().size + size > kMaxZstdChunk) {
      chunks_.push_back({ChunkKind::zstd, begin, 0, {}});
    }
    chunks_.back().size += uint32_t(size);
  }

  // Cuts the pending run of tokens into chunks of balanced length: one per stream, but none much
  // shorter than a window (a chunk longer than a window is coded in several overlapping windows).
  void flush_run() {
    const size_t n = run_tokens_.size();
    if (n == 0) return;
    const size_t count = std::min<size_t>(streams_, (n + window_tokens_ - 1) / window_tokens_);
    size_t at = 0;
    uint64_t offset = run_begin_;
    for (size_t c = 0; c < count; c++) {
      size_t len = n / count + (c < n % count ? 1 : 0);
      PlannedChunk chunk{ChunkKind::llm, offset, 0, {run_tokens_.begin() + at, run_tokens_.begin() + at + len}};
      for (llama_token t : chunk.tokens) chunk.size += uint32_t(model_.piece(t).size());
      offset += chunk.size;
      at += len;
      chunks_.push_back(std::move(chunk));
    }
    run_tokens_.clear();
  }

  const detail::LoadedModel& model_;
  std::span<const uint8_t> input_;
  uint32_t window_tokens_, streams_;
  std::vector<PlannedChunk> chunks_;
  std::vector<llama_token> run_tokens_;
  uint64_t run_begin_ = 0;
};

}  // namespace

size_t text_prefix_length(std::span<const uint8_t> bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    size_t len = utf8_char_length(bytes.subspan(i));
    if (len == 0) break;
    i += len;
  }
  return i;
}

std::vector<PlannedChunk> plan_chunks(const detail::LoadedModel& model, std::span<const uint8_t> input,
                                      uint32_t window_tokens, uint32_t streams) {
  return Planner(model, input, window_tokens, std::max<uint32_t>(streams, 1)).run();
}

}  // namespace llmz
