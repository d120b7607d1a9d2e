// Online mixing: the context models, the mixer's tables, and a coder round trip under a fixed
// stand-in for the LLM (no model needed: the mixer sees only logits and tokens).
#include "lossless/mixer.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "common/error.h"
#include "lossless/context_models.h"
#include "lossless/token_streams.h"

namespace llmz {
namespace {

using detail::MatchModel;
using detail::NgramModel;
using detail::TokenHistory;

TEST(MatchModel, PredictsWhatFollowedTheLastOccurrence) {
  TokenHistory h;
  MatchModel m(10);
  const std::vector<uint32_t> phrase = {5, 6, 7, 8, 9, 10, 11};
  for (uint32_t t : phrase) h.push(t), m.update(h);
  EXPECT_FALSE(m.predicts());
  h.push(99), m.update(h);
  for (uint32_t i = 0; i < 4; i++) h.push(phrase[i]), m.update(h);  // 5 6 7 8 again
  ASSERT_TRUE(m.predicts());
  EXPECT_EQ(m.predicted(h), 9u);
  EXPECT_EQ(m.length(), 4u);
  h.push(9), m.update(h);  // right: the match grows
  EXPECT_EQ(m.predicted(h), 10u);
  EXPECT_EQ(m.length(), 5u);
  h.push(42), m.update(h);  // wrong: it ends
  EXPECT_FALSE(m.predicts());
}

TEST(MatchDrafter, GuessesWhatFollowedAndAdaptsItsLength) {
  detail::MatchDrafter d(100);
  std::vector<uint32_t> out;
  std::vector<uint32_t> p(24);
  std::iota(p.begin(), p.end(), 20u);
  for (uint32_t t : p) d.push(t);
  d.draft(8, out);
  EXPECT_TRUE(out.empty());  // no match yet
  d.push(99);
  for (uint32_t i = 0; i < detail::MatchDrafter::kMinMatch - 1; i++) d.push(p[i]);
  d.draft(8, out);
  EXPECT_TRUE(out.empty());  // a match, but too short to guess from
  d.push(p[15]);
  d.draft(8, out);
  EXPECT_EQ(out, (std::vector<uint32_t>{p[16]}));  // one guess at first
  d.push(p[16]);                                   // right: two next
  d.draft(8, out);
  EXPECT_EQ(out, (std::vector<uint32_t>{p[17], p[18]}));
  d.push(p[17]), d.push(p[18]);  // both right: four next, at most what is asked
  d.draft(3, out);
  EXPECT_EQ(out, (std::vector<uint32_t>{p[19], p[20], p[21]}));
  d.push(p[19]), d.push(77);  // one right, then a miss: the match is gone
  d.draft(8, out);
  EXPECT_TRUE(out.empty());

  // A run of one token: the guesses continue it past the present.
  detail::MatchDrafter run(100);
  for (int i = 0; i < 20; i++) run.push(3);
  for (int right = 0; right < 5; right++) {
    run.draft(16, out);
    ASSERT_FALSE(out.empty());
    for (uint32_t t : out) EXPECT_EQ(t, 3u);
    for (size_t k = 0; k < out.size(); k++) run.push(3);
  }
  run.draft(16, out);
  EXPECT_EQ(out.size(), 16u);  // 1, 2, 4, 8, 16: doubled while right
}

TEST(NgramModel, CountsWhatFollowsAContext) {
  TokenHistory h;
  NgramModel g(2, 10);
  auto push = [&](uint32_t t) { g.update(h, t), h.push(t); };
  for (uint32_t t : {1, 2, 3, 1, 2, 3, 1, 2, 4, 1, 2}) push(t);
  const NgramModel::Slot* s = g.lookup(h);  // context (1, 2)
  ASSERT_NE(s, nullptr);
  std::map<uint32_t, uint32_t> seen;
  for (uint32_t w = 0; w < NgramModel::kWays; w++)
    if (s->counts[w]) seen[s->tokens[w]] = s->counts[w];
  EXPECT_EQ(seen, (std::map<uint32_t, uint32_t>{{3, 2}, {4, 1}}));
  push(7);  // context (2, 7): never seen
  EXPECT_EQ(g.lookup(h), nullptr);
}

TEST(Mixing, NamesRoundTripAndUnknownNamesAreRefused) {
  EXPECT_EQ(parse_mixing("all"), mix_all);
  EXPECT_EQ(parse_mixing("none"), mix_none);
  EXPECT_EQ(parse_mixing("ngram,match"), mix_match | mix_ngram);
  for (uint8_t p = 0; p <= mix_all; p++) EXPECT_EQ(parse_mixing(mixing_names(p)), p);
  for (const char* bad : {"", "match,", "bogus", "match,,ngram"}) {
    try {
      parse_mixing(bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::usage);
    }
  }
}

// A stand-in LLM: the same fixed, mildly peaked logits at every position.
std::vector<float> stand_in_logits(uint32_t n_vocab) {
  std::vector<float> logits(n_vocab);
  for (uint32_t i = 0; i < n_vocab; i++) logits[i] = float(i % 7) * 0.25f;
  return logits;
}

// Codes tokens with the given mixing parts and decodes them again; returns the payload size.
size_t code_and_check(const std::vector<llama_token>& tokens, uint8_t parts, uint32_t n_vocab) {
  const std::vector<float> logits = stand_in_logits(n_vocab);
  const std::vector<llama_token> prefix = {0};
  std::vector<uint32_t> cdf(n_vocab + 1);
  TokenStream enc = TokenStream::for_encoding(tokens, parts);
  enc.start(prefix);
  for (size_t i = 0; i < tokens.size(); i++) enc.code_next(logits, kDefaultCdfBits, cdf);
  const std::vector<uint8_t> payload = enc.finish_encoding();
  TokenStream dec = TokenStream::for_decoding(payload, uint32_t(tokens.size()), parts);
  dec.start(prefix);
  for (size_t i = 0; i < tokens.size(); i++) dec.code_next(logits, kDefaultCdfBits, cdf);
  EXPECT_EQ(dec.tokens(), tokens) << "parts " << int(parts);
  return payload.size();
}

TEST(Mixing, RepeatsCostLittleAndEverySetOfPartsRoundTrips) {
  constexpr uint32_t kVocab = 500;
  std::mt19937 rng(7);
  std::vector<llama_token> phrase(60);
  for (auto& t : phrase) t = llama_token(rng() % kVocab);
  std::vector<llama_token> tokens;
  for (int r = 0; r < 10; r++) tokens.insert(tokens.end(), phrase.begin(), phrase.end());
  const size_t plain = code_and_check(tokens, mix_none, kVocab);
  for (uint8_t parts = 1; parts <= mix_all; parts++) code_and_check(tokens, parts, kVocab);
  // Ten copies of a random phrase: without mixing each costs ~9 bits a token; the match model and
  // the n-grams learn the repeats.
  EXPECT_LT(code_and_check(tokens, mix_match, kVocab) * 3, plain);
  EXPECT_LT(code_and_check(tokens, mix_ngram, kVocab) * 3, plain);
  EXPECT_LT(code_and_check(tokens, mix_all, kVocab) * 3, plain);
}

TEST(Mixing, RandomTokensLoseLittle) {
  constexpr uint32_t kVocab = 300;
  std::mt19937 rng(11);
  std::vector<llama_token> tokens(3000);
  for (auto& t : tokens) t = llama_token(rng() % kVocab);
  const size_t plain = code_and_check(tokens, mix_none, kVocab);
  const size_t mixed = code_and_check(tokens, mix_all, kVocab);
  EXPECT_LT(double(mixed), 1.01 * double(plain));
}

TEST(Mixing, BiasedTablesStayValid) {
  // Biases on the best token, on others and on the last one: frequencies still sum to 2^bits, none 0.
  std::vector<float> logits = stand_in_logits(1000);
  logits[3] = 30.0f;
  std::vector<uint32_t> cdf(logits.size() + 1);
  const TokenBias biases[] = {{3, -40 * kFixedOne}, {999, 16 * kFixedOne}, {500, kFixedOne / 3}};
  logits_to_cdf(logits, kDefaultCdfBits, cdf, scan_logits(logits), biases);
  EXPECT_EQ(cdf.front(), 0u);
  EXPECT_EQ(cdf.back(), 1u << kDefaultCdfBits);
  for (size_t i = 0; i < logits.size(); i++) EXPECT_GT(cdf[i + 1], cdf[i]) << i;
  EXPECT_GT(cdf[1000] - cdf[999], cdf[4] - cdf[3]);  // the bias moved the mass
}

}  // namespace
}  // namespace llmz
