// Range coder: exact round trips on many tables, and near-zero overhead over the ideal code length.
#include "coding/range_coder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "coding/cdf.h"

namespace llmz {
namespace {

struct Symbol {
  uint32_t cum, freq;
};

// A random cumulative table over n symbols totalling 2^bits, every frequency >= 1.
std::vector<uint32_t> random_cdf(std::mt19937_64& rng, uint32_t n, uint32_t bits, double skew) {
  std::vector<double> w(n);
  std::exponential_distribution<double> e(1.0);
  for (auto& x : w) x = std::pow(e(rng), skew);
  std::vector<float> logits(n);
  for (uint32_t i = 0; i < n; i++) logits[i] = float(std::log(w[i] + 1e-30));
  std::vector<uint32_t> cdf(n + 1);
  logits_to_cdf(logits, bits, cdf);
  return cdf;
}

TEST(RangeCoder, RoundTripsRandomTables) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 60; trial++) {
    const uint32_t n = 2 + uint32_t(rng() % 3000);
    const uint32_t bits = kMinCdfBits + uint32_t(rng() % (kMaxCdfBits - kMinCdfBits + 1));
    const size_t count = rng() % 2000;
    std::vector<std::vector<uint32_t>> tables;
    std::vector<uint32_t> symbols;
    RangeEncoder enc;
    for (size_t i = 0; i < count; i++) {
      tables.push_back(random_cdf(rng, n, bits, 1.0 + double(rng() % 8)));
      const auto& cdf = tables.back();
      uint32_t s = uint32_t(rng() % n);  // any symbol, even the least likely ones
      symbols.push_back(s);
      enc.encode(cdf[s], cdf[s + 1] - cdf[s], bits);
    }
    std::vector<uint8_t> bytes = enc.finish();
    RangeDecoder dec(bytes);
    for (size_t i = 0; i < count; i++) {
      const auto& cdf = tables[i];
      uint32_t s = cdf_find(cdf, dec.target(bits));
      ASSERT_EQ(s, symbols[i]) << "trial " << trial << " symbol " << i;
      dec.consume(cdf[s], cdf[s + 1] - cdf[s]);
    }
  }
}

TEST(RangeCoder, EmptyStreamIsEmpty) {
  RangeEncoder enc;
  EXPECT_TRUE(enc.finish().empty());
}

TEST(RangeCoder, ExtremeFrequencies) {
  // Alternate a symbol of frequency 1 (of 2^31) with the dominant one: exercises carries and long
  // runs of 0xFF bytes.
  const uint32_t bits = kMaxCdfBits;
  const uint32_t total = 1u << bits;
  std::vector<Symbol> table = {{0, 1}, {1, total - 2}, {total - 1, 1}};
  std::mt19937_64 rng(7);
  std::vector<int> symbols;
  RangeEncoder enc;
  for (int i = 0; i < 20000; i++) {
    int s = rng() % 10 == 0 ? int(rng() % 3) : 1;
    symbols.push_back(s);
    enc.encode(table[size_t(s)].cum, table[size_t(s)].freq, bits);
  }
  auto bytes = enc.finish();
  RangeDecoder dec(bytes);
  std::vector<uint32_t> cdf = {0, 1, total - 1, total};
  for (int s : symbols) {
    uint32_t got = cdf_find(cdf, dec.target(bits));
    ASSERT_EQ(int(got), s);
    dec.consume(table[got].cum, table[got].freq);
  }
}

// Coded size against the model's cross-entropy under the exact softmax (double precision): the
// integer table, the exp approximation, the coder and its flush together must cost under 0.5%.
TEST(RangeCoder, OverheadBelowHalfPercentOfCrossEntropy) {
  std::mt19937_64 rng(1234);
  const uint32_t n_vocab = 49152;
  std::normal_distribution<double> normal(0.0, 1.0);
  for (double spread : {2.0, 4.0, 8.0}) {
    // ~10 KB of text is ~2500 tokens for a 135M model.
    // One logit vector per spread, rotated by a random offset for each token: the same shape of
    // distribution with the likely tokens in different places, at a fraction of the cost.
    std::vector<double> base(n_vocab), p(n_vocab);
    for (auto& l : base) l = float(spread * normal(rng));
    const double mx = *std::max_element(base.begin(), base.end());
    double z = 0;
    for (uint32_t i = 0; i < n_vocab; i++) z += (p[i] = std::exp(double(float(base[i])) - mx));
    RangeEncoder enc;
    double ideal_bits = 0;
    std::vector<float> logits(n_vocab);
    std::vector<uint32_t> cdf(n_vocab + 1);
    for (int t = 0; t < 2500; t++) {
      const uint32_t shift = uint32_t(rng() % n_vocab);
      for (uint32_t i = 0; i < n_vocab; i++) logits[i] = float(base[(i + shift) % n_vocab]);
      double u = std::uniform_real_distribution<double>(0, z)(rng);
      uint32_t s = 0;
      while (s + 1 < n_vocab && (u -= p[(s + shift) % n_vocab]) > 0) s++;
      ideal_bits += -std::log2(p[(s + shift) % n_vocab] / z);
      logits_to_cdf(logits, kDefaultCdfBits, cdf);
      enc.encode(cdf[s], cdf[s + 1] - cdf[s], kDefaultCdfBits);
    }
    double coded_bits = 8.0 * double(enc.finish().size());
    std::cout << "spread " << spread << ": ideal " << ideal_bits << " bits, coded " << coded_bits << " bits, overhead "
              << 100 * (coded_bits / ideal_bits - 1) << "%\n";
    EXPECT_LT(coded_bits, ideal_bits * 1.005) << "spread " << spread << ": ideal " << ideal_bits;
    EXPECT_GT(coded_bits, ideal_bits * 0.98) << "spread " << spread;  // sanity: no free lunch
  }
}

}  // namespace
}  // namespace llmz
