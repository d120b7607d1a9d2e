// The logits -> integer frequency table function: invariants, accuracy, and a pinned output (the
// format depends on it bit for bit).
#include "coding/cdf.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cmath>
#include <limits>
#include <random>

namespace llmz {
namespace {

std::vector<uint32_t> table(const std::vector<float>& logits, uint32_t bits = kDefaultCdfBits) {
  std::vector<uint32_t> cdf(logits.size() + 1);
  logits_to_cdf(logits, bits, cdf);
  return cdf;
}

void expect_valid(const std::vector<uint32_t>& cdf, uint32_t bits) {
  ASSERT_EQ(cdf.front(), 0u);
  ASSERT_EQ(uint64_t(cdf.back()), uint64_t(1) << bits);
  for (size_t i = 0; i + 1 < cdf.size(); i++) ASSERT_GE(cdf[i + 1], cdf[i] + 1) << "token " << i;
}

TEST(Cdf, TotalsAndFloors) {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0, 5);
  for (uint32_t bits : {kMinCdfBits, kDefaultCdfBits, kMaxCdfBits}) {
    for (size_t n : {2, 3, 1000, 49152, 262144}) {
      if (n >= (size_t(1) << (bits - 1))) continue;
      std::vector<float> logits(n);
      for (auto& l : logits) l = normal(rng);
      expect_valid(table(logits, bits), bits);
    }
  }
}

TEST(Cdf, CloseToSoftmax) {
  std::mt19937_64 rng(2);
  std::normal_distribution<float> normal(0, 3);
  std::vector<float> logits(5000);
  for (auto& l : logits) l = normal(rng);
  auto cdf = table(logits);
  double mx = *std::max_element(logits.begin(), logits.end()), z = 0;
  for (float l : logits) z += std::exp(double(l) - mx);
  for (size_t i = 0; i < logits.size(); i++) {
    double p = std::exp(double(logits[i]) - mx) / z;
    double q = double(cdf[i + 1] - cdf[i]) / double(1u << kDefaultCdfBits);
    if (p > 1e-6) {
      EXPECT_NEAR(q / p, 1.0, 1e-3) << "token " << i;
    }
  }
}

TEST(Cdf, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> logits = {0.0f, nan, -inf, inf, 1e30f, -1e30f, 3.0f};
  auto cdf = table(logits);
  expect_valid(cdf, kDefaultCdfBits);
  // +inf and 1e30 clamp to the same top value; the first of them takes the leftover.
  EXPECT_GT(cdf[4] - cdf[3], cdf[5] - cdf[4]);
}

TEST(Cdf, AllEqualIsUniform) {
  std::vector<float> logits(1024, -7.25f);
  auto cdf = table(logits);
  for (size_t i = 1; i + 1 < logits.size(); i++) EXPECT_EQ(cdf[i + 1] - cdf[i], cdf[2] - cdf[1]);
}

TEST(Cdf, FindInvertsTable) {
  std::vector<float> logits = {1, 2, 3, -50, 0.5};
  auto cdf = table(logits);
  for (uint32_t s = 0; s < logits.size(); s++) {
    EXPECT_EQ(cdf_find(cdf, cdf[s]), s);
    EXPECT_EQ(cdf_find(cdf, cdf[s + 1] - 1), s);
  }
}

TEST(Cdf, Log2ShareIsExactOnPowersOfTwoAndCloseElsewhere) {
  EXPECT_EQ(log2_share(1u << 30, 30), 0);
  EXPECT_EQ(log2_share(1u << 20, 30), -10 * 65536);
  EXPECT_EQ(log2_share(1, 30), -30 * 65536);
  for (uint32_t f : {3u, 1000u, 123456789u, (1u << 30) - 1})
    EXPECT_NEAR(double(log2_share(f, 30)) / 65536, std::log2(double(f)) - 30, 2.0 / 65536) << f;
}

// Pins the exact output: if this fails, files written before the change no longer decode. Change
// the format version instead of the expectation.
TEST(Cdf, PinnedOutput) {
  std::vector<float> logits(49152);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& l : logits) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    l = float(int64_t(x % 4000001) - 2000000) / 100000.0f;  // -20 .. 20
  }
  auto cdf = table(logits);
  EXPECT_EQ(XXH3_64bits(cdf.data(), cdf.size() * sizeof(uint32_t)), 0x8a7394d4c4dab8d3ull);
}

}  // namespace
}  // namespace llmz
