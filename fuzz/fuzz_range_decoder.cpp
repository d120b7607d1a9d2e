// The range decoder and the frequency tables it reads, over a tiny model: the input's first bytes
// are the logits of a vocabulary of up to 64 tokens (one table per position, cycling), the rest
// is the payload. Decoding must stay in range whatever the payload, and a stream the encoder
// writes for the decoded tokens must decode to them again.
#include <cstdint>
#include <vector>

#include "coding/cdf.h"
#include "coding/range_coder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint32_t bits = llmz::kMinCdfBits + data[0] % (llmz::kMaxCdfBits - llmz::kMinCdfBits + 1);
  const size_t vocab = 1 + data[1] % 64;
  if (size < 2 + vocab) return 0;
  std::vector<float> logits(vocab);
  for (size_t i = 0; i < vocab; i++) logits[i] = (int(data[2 + i]) - 128) / 8.0f;
  const std::span<const uint8_t> payload(data + 2 + vocab, size - 2 - vocab);
  std::vector<uint32_t> cdf(vocab + 1);
  llmz::RangeDecoder decoder(payload);
  llmz::RangeEncoder encoder;
  std::vector<uint32_t> tokens;
  for (size_t k = 0; k < 512 && decoder.overrun() <= 8; k++) {
    logits[k % vocab] += 0.5f;  // a table that changes as the "model" reads its own output
    llmz::logits_to_cdf(logits, bits, cdf);
    const uint32_t target = decoder.target(bits);
    if (target >= (uint32_t(1) << bits)) __builtin_trap();
    const uint32_t t = llmz::cdf_find(cdf, target);
    if (t >= vocab || cdf[t + 1] <= cdf[t]) __builtin_trap();
    decoder.consume(cdf[t], cdf[t + 1] - cdf[t]);
    encoder.encode(cdf[t], cdf[t + 1] - cdf[t], bits);
    tokens.push_back(t);
  }
  // Round trip of what was decoded, under the same tables.
  const std::vector<uint8_t> again = encoder.finish();
  for (size_t i = 0; i < vocab; i++) logits[i] = (int(data[2 + i]) - 128) / 8.0f;
  llmz::RangeDecoder check(again);
  for (size_t k = 0; k < tokens.size(); k++) {
    logits[k % vocab] += 0.5f;
    llmz::logits_to_cdf(logits, bits, cdf);
    if (llmz::cdf_find(cdf, check.target(bits)) != tokens[k]) __builtin_trap();
    check.consume(cdf[tokens[k]], cdf[tokens[k] + 1] - cdf[tokens[k]]);
  }
  return 0;
}
