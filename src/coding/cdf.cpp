#include "coding/cdf.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <limits>

namespace llmz {

namespace {

// exp(-y) for 0 <= y <= 1 by Taylor series, evaluated by the compiler (constexpr), never at run time.
constexpr double exp_neg_series(double y) {
  double term = 1.0, sum = 1.0;
  for (int k = 1; k < 40; k++) {
    term *= -y / k;
    sum += term;
  }
  return sum;
}

constexpr double kLn2 = 0.693147180559945309417232121458;

// kExp2Hi[j] = 2^(-j/256) in Q32, kExp2Lo[j] = 2^(-j/65536) in Q31.
constexpr std::array<uint64_t, 256> make_table(double step, double scale) {
  std::array<uint64_t, 256> t{};
  for (int j = 0; j < 256; j++) t[j] = uint64_t(exp_neg_series(j * step * kLn2) * scale + 0.5);
  return t;
}
constexpr auto kExp2Hi = make_table(1.0 / 256, 4294967296.0);
constexpr auto kExp2Lo = make_table(1.0 / 65536, 2147483648.0);
static_assert(kExp2Hi[0] == (uint64_t(1) << 32) && kExp2Lo[0] == (uint64_t(1) << 31));
static_assert(kExp2Hi[128] == 3037000500ull);  // 2^32 / sqrt(2), rounded

constexpr int kFracBits = 16;                  // logits become fixed point with 16 fractional bits
constexpr uint64_t kLog2eQ30 = 1549082005ull;  // log2(e) * 2^30, rounded
constexpr int32_t kMaxAbsLogit = 1 << 14;      // logits are clamped to +-16384
// Below exp(-22.5) relative to the best token, a token's share is under 2^-32: it gets the floor of 1.
constexpr int64_t kCutoff = int64_t(22.5 * (1 << kFracBits));

// exp(-d / 2^16) in Q32, for d >= 0.
uint64_t exp_neg_fixed(int64_t d) {
  if (d >= kCutoff) return 0;
  uint64_t t = (uint64_t(d) * kLog2eQ30) >> 30;  // d * log2(e), still 16 fractional bits
  uint32_t whole = uint32_t(t >> kFracBits);
  uint32_t frac = uint32_t(t & 0xFFFF);
  return (kExp2Hi[frac >> 8] * kExp2Lo[frac & 0xFF]) >> (31 + whole);
}

}  // namespace

int32_t fixed_logit(float logit) {
  if (!(logit == logit)) return -kMaxAbsLogit << kFracBits;  // NaN: as unlikely as possible
  float c = std::clamp(logit, float(-kMaxAbsLogit), float(kMaxAbsLogit));
  return int32_t(c * float(1 << kFracBits));  // exact: scaling by a power of two, then truncation
}

LogitScan scan_logits(std::span<const float> logits) {
  LogitScan s{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::min(), 0};
  for (size_t i = 0; i < logits.size(); i++) {
    int32_t q = fixed_logit(logits[i]);
    if (q > s.best) {
      s.second = s.best, s.second_index = s.best_index;
      s.best = q, s.best_index = uint32_t(i);
    } else if (q > s.second) {
      s.second = q, s.second_index = uint32_t(i);
    }
  }
  return s;
}

void logits_to_cdf(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf, const LogitScan& scan,
                   std::span<const TokenBias> biases) {
  const size_t n = logits.size();
  assert(cdf.size() == n + 1 && n >= 1 && bits <= kMaxCdfBits && n < (size_t(1) << (bits - 1)));

  // Every weight is taken against the largest logit after the biases, found exactly, so that no
  // token falls below the cutoff for want of a reference that no token reaches.
  auto biased = [&](uint32_t token) {
    return std::find_if(biases.begin(), biases.end(), [&](const TokenBias& b) { return b.token == token; }) !=
           biases.end();
  };
  int64_t best = std::numeric_limits<int64_t>::min();
  size_t best_index = 0;
  if (!biased(scan.best_index)) {
    best = scan.best, best_index = scan.best_index;
  } else if (n > 1 && !biased(scan.second_index)) {
    best = scan.second, best_index = scan.second_index;
  } else {
    for (size_t i = 0; i < n; i++) {
      const int32_t q = fixed_logit(logits[i]);
      if (q > best && !biased(uint32_t(i))) best = q, best_index = i;
    }
  }
  for (const TokenBias& b : biases) {
    const int64_t v = int64_t(fixed_logit(logits[b.token])) + b.bias;
    if (v > best || (v == best && b.token < best_index)) best = v, best_index = b.token;
  }

  // Unnormalised weights, parked in cdf[i + 1] (the best token's 2^32 is stored as 2^32 - 1).
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    // A biased token may lie above the reference before its bias; its weight is replaced below.
    uint64_t w = std::min<uint64_t>(exp_neg_fixed(std::max<int64_t>(0, best - fixed_logit(logits[i]))), UINT32_MAX);
    cdf[i + 1] = uint32_t(w);
    sum += w;
  }
  for (const TokenBias& b : biases) {
    sum -= cdf[b.token + 1];
    uint64_t w = std::min<uint64_t>(exp_neg_fixed(best - (int64_t(fixed_logit(logits[b.token])) + b.bias)), UINT32_MAX);
    cdf[b.token + 1] = uint32_t(w);
    sum += w;
  }

  // freq_i = 1 + floor(w_i * spare / sum), with spare = 2^bits - n so that the floors leave room for the +1s.
  const uint64_t total = uint64_t(1) << bits;
  const uint64_t spare = total - n;
  const uint64_t scale = uint64_t((((unsigned __int128)spare) << 64) / sum);  // spare / sum in Q64
  uint64_t running = 0;
  cdf[0] = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t freq = 1 + uint64_t(((unsigned __int128)cdf[i + 1] * scale) >> 64);
    running += freq;
    cdf[i + 1] = uint32_t(running);
  }
  // Rounding leaves a little mass over: it goes to the most likely token (the first one on ties).
  uint32_t leftover = uint32_t(total - running);
  for (size_t i = best_index + 1; i <= n; i++) cdf[i] += leftover;
}

uint32_t cdf_find(std::span<const uint32_t> cdf, uint32_t target) {
  auto it = std::upper_bound(cdf.begin() + 1, cdf.end(), target);
  return uint32_t(it - cdf.begin() - 1);
}

int64_t log2_share(uint32_t frequency, uint32_t bits) {
  assert(frequency > 0);
  const int e = 31 - std::countl_zero(frequency);  // floor(log2(frequency))
  uint64_t m = uint64_t(frequency) << (31 - e);    // frequency / 2^e in Q31, in [1, 2)
  int64_t fraction = 0;
  for (int i = 15; i >= 0; i--) {  // one bit of log2(m) per squaring
    m = (m * m) >> 31;
    if (m >= (uint64_t(1) << 32)) {
      m >>= 1;
      fraction |= int64_t(1) << i;
    }
  }
  return (int64_t(e) - int64_t(bits)) * 65536 + fraction;
}

}  // namespace llmz
