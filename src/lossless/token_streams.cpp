#include "lossless/token_streams.h"

#include <algorithm>

#include "coding/cdf.h"

namespace llmz {

TokenStream TokenStream::for_encoding(std::vector<llama_token> tokens) {
  TokenStream s;
  s.n_tokens_ = uint32_t(tokens.size());
  s.tokens_ = std::move(tokens);
  s.encoder_.emplace();
  return s;
}

TokenStream TokenStream::for_decoding(std::span<const uint8_t> payload, uint32_t n_tokens) {
  TokenStream s;
  s.n_tokens_ = n_tokens;
  s.tokens_.reserve(n_tokens);
  s.decoder_.emplace(payload);
  return s;
}

void TokenStream::code_next(std::span<const uint32_t> cdf, uint32_t bits) {
  if (encoder_) {
    llama_token t = tokens_[coded_];
    encoder_->encode(cdf[t], cdf[t + 1] - cdf[t], bits);
  } else {
    uint32_t t = cdf_find(cdf, decoder_->target(bits));
    decoder_->consume(cdf[t], cdf[t + 1] - cdf[t]);
    tokens_.push_back(llama_token(t));
  }
  coded_++;
}

namespace {

struct Slot {
  int stream = -1;     // index into streams, or -1 when idle
  uint32_t fed = 0;    // tokens of prefix + stream already in the model's cache
  uint32_t first_output = 0, outputs = 0;  // rows of logits this round
};

}  // namespace

void code_token_streams(detail::Evaluator& evaluator, std::span<const llama_token> prefix, uint32_t cdf_bits,
                        std::vector<TokenStream>& streams, const std::function<void(uint64_t)>& progress) {
  const uint32_t p = uint32_t(prefix.size());
  std::vector<Slot> slots(std::min<size_t>(evaluator.slots(), streams.size()));
  size_t next_stream = 0;
  uint64_t coded_total = 0;
  const int n_threads = std::max(1, evaluator.threads());
  std::vector<std::vector<uint32_t>> cdf(slots.size(), std::vector<uint32_t>(evaluator.n_vocab() + 1));

  while (true) {
    // Give idle slots the next streams.
    for (uint32_t s = 0; s < slots.size(); s++) {
      if (slots[s].stream < 0 && next_stream < streams.size()) {
        evaluator.clear(s);
        slots[s] = Slot{int(next_stream++)};
      }
    }
    size_t active = std::count_if(slots.begin(), slots.end(), [](const Slot& s) { return s.stream >= 0; });
    if (active == 0) break;

    // Queue the next tokens of each sequence: prefix, then the stream's known tokens. The last token
    // of a stream predicts nothing, so it is never fed.
    const uint32_t per_slot = std::clamp<uint32_t>(uint32_t(evaluator.max_batch() / active), 1, detail::kMicroBatch);
    uint32_t outputs = 0;
    for (uint32_t s = 0; s < slots.size(); s++) {
      Slot& slot = slots[s];
      slot.outputs = 0;
      if (slot.stream < 0) continue;
      const TokenStream& st = streams[size_t(slot.stream)];
      const uint32_t available = std::min(p + st.known(), p + st.size() - 1);
      const uint32_t end = std::min(available, slot.fed + per_slot);
      slot.first_output = outputs;
      for (uint32_t i = slot.fed; i < end; i++) {
        const bool predicts = i + 1 >= p;
        evaluator.add(s, i < p ? prefix[i] : st.token(i - p), int32_t(i), predicts);
        if (predicts) slot.outputs++;
      }
      outputs += slot.outputs;
      slot.fed = end;
    }
    evaluator.run();

    // Code the predicted tokens. Each slot's tables are built by one thread, in order, so the thread
    // count changes nothing but speed.
#pragma omp parallel for num_threads(n_threads) schedule(dynamic, 1)
    for (size_t s = 0; s < slots.size(); s++) {
      Slot& slot = slots[s];
      for (uint32_t k = 0; k < slot.outputs; k++) {
        logits_to_cdf(evaluator.logits(slot.first_output + k), cdf_bits, cdf[s]);
        streams[size_t(slot.stream)].code_next(cdf[s], cdf_bits);
      }
    }
    for (auto& slot : slots) {
      coded_total += slot.outputs;
      if (slot.stream >= 0 && streams[size_t(slot.stream)].coded() == streams[size_t(slot.stream)].size())
        slot.stream = -1;
    }
    if (progress) progress(coded_total);
  }
}

}  // namespace llmz
