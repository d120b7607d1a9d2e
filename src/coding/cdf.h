// The one function that turns a model's logits into integer symbol frequencies. Encoder and decoder
// both call it, so it must give the same table on any machine: it uses integer arithmetic only
// (no libm, no floating-point rounding beyond an exact scaling of each logit), runs single-threaded
// and visits tokens in a fixed order.
#pragma once
#include <cstdint>
#include <span>

namespace llmz {

inline constexpr uint32_t kDefaultCdfBits = 30;
inline constexpr uint32_t kMinCdfBits = 24;  // the token coder's smallest table (files); a yes/no table may be smaller
inline constexpr uint32_t kMaxCdfBits = 31;

// Logits in fixed point, 16 fractional bits (nats), clamped to +-16384: exact on every machine.
int32_t fixed_logit(float logit);
inline constexpr int32_t kFixedOne = 1 << 16;

// The two largest fixed-point logits (the first index on ties) and where the largest is.
struct LogitScan {
  int32_t best = 0, second = 0;
  uint32_t best_index = 0, second_index = 0;
};
LogitScan scan_logits(std::span<const float> logits);

// A fixed-point amount added to one token's logit before the table is built (at most one per token).
struct TokenBias {
  uint32_t token = 0;
  int32_t bias = 0;
};

// Fills cdf[0..n] (n = logits.size()) with cumulative frequencies: cdf[0] = 0, cdf[n] = 2^bits,
// every token gets at least 1. The probability of token i is proportional to exp(logit_i + bias_i),
// with exp approximated to ~1e-7 relative error. Requires 1 <= n < 2^bits / 2 and bits <= kMaxCdfBits;
// `scan` must be scan_logits(logits).
void logits_to_cdf(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf, const LogitScan& scan,
                   std::span<const TokenBias> biases = {});
inline void logits_to_cdf(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf) {
  logits_to_cdf(logits, bits, cdf, scan_logits(logits));
}

// log2 of a token's share of a table (its frequency over 2^bits), in units of 2^-16, with integer
// arithmetic only: the same on every machine, so both ends of a protocol may rank replies by it.
int64_t log2_share(uint32_t frequency, uint32_t bits);

// Index s with cdf[s] <= target < cdf[s + 1].
uint32_t cdf_find(std::span<const uint32_t> cdf, uint32_t target);

}  // namespace llmz
