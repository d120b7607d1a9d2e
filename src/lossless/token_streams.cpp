#include "lossless/token_streams.h"

#include <algorithm>

#include "coding/cdf.h"
#include "common/error.h"

namespace llmz {

TokenStream TokenStream::for_encoding(std::vector<llama_token> tokens, uint8_t mix_parts) {
  TokenStream s;
  s.n_tokens_ = uint32_t(tokens.size());
  s.tokens_ = std::move(tokens);
  s.encoder_.emplace();
  s.mix_parts_ = mix_parts;
  return s;
}

TokenStream TokenStream::for_decoding(std::span<const uint8_t> payload, uint32_t n_tokens, uint8_t mix_parts) {
  TokenStream s;
  s.n_tokens_ = n_tokens;
  s.decoder_.emplace(payload);
  s.mix_parts_ = mix_parts;
  return s;
}

void TokenStream::start(std::span<const llama_token> prefix) {
  if (decoder_) {
    drafter_.emplace(uint32_t(prefix.size()) + n_tokens_);
    for (llama_token t : prefix) drafter_->push(uint32_t(t));
  }
  if (mix_parts_ == 0) return;
  mixer_.emplace(mix_parts_, uint32_t(prefix.size()) + n_tokens_);
  mixer_->seed(prefix);
}

void TokenStream::draft(uint32_t max, std::vector<uint32_t>& out) {
  out.clear();
  if (drafter_) drafter_->draft(max, out);
}

void TokenStream::code_next(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf) {
  if (mixer_)
    mixer_->build_cdf(logits, bits, cdf);
  else
    logits_to_cdf(logits, bits, cdf);
  if (encoder_) {
    llama_token t = tokens_[coded_];
    encoder_->encode(cdf[t], cdf[t + 1] - cdf[t], bits);
  } else {
    uint32_t t = cdf_find(cdf, decoder_->target(bits));
    decoder_->consume(cdf[t], cdf[t + 1] - cdf[t]);
    tokens_.push_back(llama_token(t));
  }
  if (mixer_) mixer_->update(uint32_t(tokens_[coded_]), cdf, bits);
  if (drafter_) drafter_->push(uint32_t(tokens_[coded_]));
  if (++coded_ == n_tokens_) drafter_.reset();
}

namespace {

struct Slot {
  int stream = -1;                         // index into streams, or -1 when idle
  uint32_t start = 0;                      // stream index of the window's first token (after the prefix)
  uint32_t fed = 0;                        // sequence positions (prefix included) already in the model's cache
  uint32_t first_output = 0, outputs = 0;  // rows of logits this round
  std::vector<uint32_t> drafts;            // guessed tokens fed after the known ones this round
  uint32_t used = 0;                       // rows whose logits held after the guesses were checked
};

}  // namespace

void code_token_streams(detail::Evaluator& evaluator, std::span<const llama_token> prefix, WindowShape window,
                        uint32_t cdf_bits, std::vector<TokenStream>& streams,
                        const std::function<void(uint64_t)>& progress) {
  const uint32_t p = uint32_t(prefix.size());
  std::vector<Slot> slots(std::min<size_t>(evaluator.slots(), streams.size()));
  size_t next_stream = 0;
  uint64_t coded_total = 0;
  std::vector<std::vector<uint32_t>> cdf(slots.size(), std::vector<uint32_t>(evaluator.n_vocab() + 1));
  const bool guesses = evaluator.rewinds();  // wrong guesses must be forgotten

  while (true) {
    // Idle slots take the next stream; slots whose window is full start the next window.
    for (uint32_t s = 0; s < slots.size(); s++) {
      Slot& slot = slots[s];
      if (slot.stream < 0 && next_stream < streams.size()) {
        evaluator.clear(s);
        streams[next_stream].start(prefix);
        slot = Slot{int(next_stream++)};
      } else if (slot.stream >= 0 && streams[size_t(slot.stream)].coded() == slot.start + window.length) {
        const uint32_t next_start = streams[size_t(slot.stream)].coded() - window.overlap;
        if (window.sliding) {
          // The overlap stays in the cache, moved back to follow the prefix; only the tokens after it are new.
          const uint32_t dropped = next_start - slot.start;
          evaluator.drop(s, int32_t(p), int32_t(dropped));
          slot.fed -= dropped;
        } else {
          evaluator.clear(s);
          slot.fed = 0;
        }
        slot.start = next_start;
      }
    }
    size_t active = std::count_if(slots.begin(), slots.end(), [](const Slot& s) { return s.stream >= 0; });
    if (active == 0) break;

    // Queue the next tokens of each window: the prefix, then the stream's tokens from the window's
    // start, as far as they are known. A token is fed only if the one it predicts is in this window;
    // its logits are kept only if that token is still to be coded (not overlap context).
    const uint32_t per_slot = std::clamp<uint32_t>(uint32_t(evaluator.max_batch() / active), 1, detail::kMicroBatch);
    uint32_t outputs = 0;
    for (uint32_t s = 0; s < slots.size(); s++) {
      Slot& slot = slots[s];
      slot.outputs = 0;
      slot.drafts.clear();
      if (slot.stream < 0) continue;
      TokenStream& st = streams[size_t(slot.stream)];
      const uint32_t window_end = std::min(st.size(), slot.start + window.length);
      const uint32_t feedable = std::min(st.known(), window_end - 1);  // stream tokens [.., feedable)
      const uint32_t end = std::min(p + feedable - slot.start, slot.fed + per_slot);
      slot.first_output = outputs;
      for (uint32_t i = slot.fed; i < end; i++) {
        const bool to_code = slot.start + i + 1 >= p + st.coded();
        evaluator.add(s, i < p ? prefix[i] : st.token(slot.start + i - p), int32_t(i), to_code);
        slot.outputs += to_code;
      }
      // Draft and verify: a decoder that has fed all it knows also feeds its guesses of the next
      // tokens; each guess that proves right makes the logits after it usable (design §4: the same
      // numbers as one token at a time), the first wrong one ends the round for this stream.
      if (guesses && slot.outputs > 0 && end == p + st.known() - slot.start && st.known() + 1 < window_end)
        st.draft(std::min(window_end - 1 - st.known(), slot.fed + per_slot - end), slot.drafts);
      for (uint32_t k = 0; k < slot.drafts.size(); k++)
        evaluator.add(s, llama_token(slot.drafts[k]), int32_t(end + k), true);
      slot.outputs += uint32_t(slot.drafts.size());
      outputs += slot.outputs;
      slot.fed = std::max(slot.fed, end);
    }
    evaluator.run();

    // Code the predicted tokens. Each slot's tables are built by one thread, in order, so the thread
    // count changes nothing but speed. No more threads than slots with work: an idle OpenMP thread
    // spin-waits for milliseconds after the loop, which a busy machine takes from the work.
    const auto working = std::count_if(slots.begin(), slots.end(), [](const Slot& s) { return s.outputs > 0; });
    const int coders = int(std::clamp<std::ptrdiff_t>(working, 1, evaluator.threads()));
#pragma omp parallel for num_threads(coders) schedule(dynamic, 1)
    for (size_t s = 0; s < slots.size(); s++) {
      Slot& slot = slots[s];
      const uint32_t known = slot.outputs - uint32_t(slot.drafts.size());
      slot.used = 0;
      while (slot.used < slot.outputs) {
        TokenStream& st = streams[size_t(slot.stream)];
        st.code_next(evaluator.logits(slot.first_output + slot.used), cdf_bits, cdf[s]);
        // From the last known token's logits on, the next row holds only if this token was guessed.
        if (++slot.used >= known && slot.used < slot.outputs &&
            uint32_t(st.token(st.coded() - 1)) != slot.drafts[slot.used - known])
          break;
      }
    }
    for (uint32_t s = 0; s < slots.size(); s++) {
      Slot& slot = slots[s];
      if (slot.stream >= 0 && streams[size_t(slot.stream)].overran())
        fail(ErrorCode::corrupt, "file is damaged (a chunk's payload ends too early)");
      // The guesses that proved right stay in the cache; the rest are forgotten.
      if (!slot.drafts.empty()) {
        slot.fed += slot.used - (slot.outputs - uint32_t(slot.drafts.size()));
        evaluator.clear_from(s, int32_t(slot.fed));
      }
      coded_total += slot.used;
      if (slot.stream >= 0 && streams[size_t(slot.stream)].coded() == streams[size_t(slot.stream)].size())
        slot.stream = -1;
    }
    if (progress) progress(coded_total);
  }
}

}  // namespace llmz
