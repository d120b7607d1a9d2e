#include "lossless/mixer.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace llmz::detail {

namespace {

constexpr int32_t kOne = kFixedOne;  // one nat

// The match model's state: how long the match is, in bands of 8 tokens (the last band open).
constexpr uint32_t kLengthBuckets = 4;
uint32_t length_bucket(uint32_t length) { return std::min(length / 8, kLengthBuckets - 1); }

// The calibration's state: the LLM's margin between its best and second-best token.
constexpr uint32_t kMarginBuckets = 12;
uint32_t margin_bucket(const LogitScan& scan) {
  const int64_t d = int64_t(scan.best) - scan.second;
  constexpr int64_t kBounds[] = {kOne / 4, kOne / 2, kOne,     3 * kOne / 2, 2 * kOne, 3 * kOne,
                                 4 * kOne, 5 * kOne, 6 * kOne, 8 * kOne,     11 * kOne};
  uint32_t b = 0;
  for (int64_t bound : kBounds) b += d >= bound;
  return b;
}

// The weights: one per match length band, one per n-gram order, one per margin band. Few weights
// learn fast enough for the short streams llmz codes (tuned on the first 4 KB of Calgary files).
constexpr uint32_t kMatchBase = 0;
constexpr uint32_t kNgramBase = kMatchBase + kLengthBuckets;
constexpr uint32_t kCalibrateBase = kNgramBase + 4;
constexpr uint32_t kWeights = kCalibrateBase + kMarginBuckets;

// Learning: a bias moves by error * rate, the rate falling as 0.5 / (seen + 2) nats to a floor of 1/32.
constexpr int64_t kRateStart = kOne / 2, kRateFloor = kOne / 32;
constexpr uint16_t kSeenCap = 1023;
constexpr int32_t kMaxBias = 12 * kOne, kMaxTokenBias = 16 * kOne;

}  // namespace

Mixer::Mixer(uint8_t parts, uint32_t tokens) : parts_(parts), match_(table_bits_for(tokens)), weights_(kWeights) {
  if (parts_ & mix_ngram)
    for (uint32_t order = 1; order <= kOrders; order++) ngrams_.emplace_back(order, table_bits_for(tokens));
}

void Mixer::push(uint32_t token) {
  for (auto& g : ngrams_) g.update(history_, token);
  history_.push(token);
  if (parts_ & mix_match) match_.update(history_);
}

void Mixer::seed(std::span<const int32_t> context) {
  for (int32_t t : context) push(uint32_t(t));
}

void Mixer::add_feature(uint32_t token, uint32_t weight_index) {
  auto it = std::find_if(candidates_.begin(), candidates_.end(), [&](const Candidate& c) { return c.token == token; });
  if (it == candidates_.end()) it = candidates_.insert(candidates_.end(), Candidate{token});
  it->features[it->n_features++] = weight_index;
}

void Mixer::build_cdf(std::span<const float> logits, uint32_t bits, std::span<uint32_t> cdf) {
  scan_ = scan_logits(logits);
  candidates_.clear();
  const uint32_t n_vocab = uint32_t(logits.size());

  if ((parts_ & mix_match) && match_.predicts()) {
    const uint32_t t = match_.predicted(history_);
    if (t < n_vocab) add_feature(t, kMatchBase + length_bucket(match_.length()));
  }
  for (const NgramModel& g : ngrams_) {
    const NgramModel::Slot* s = g.lookup(history_);
    if (!s) continue;
    for (uint32_t w = 0; w < NgramModel::kWays; w++)
      if (s->counts[w] > 0 && s->tokens[w] < n_vocab) add_feature(s->tokens[w], kNgramBase + g.order() - 1);
  }
  if (parts_ & mix_calibrate) add_feature(scan_.best_index, kCalibrateBase + margin_bucket(scan_));

  biases_.clear();
  for (const Candidate& c : candidates_) {
    int32_t sum = 0;
    for (uint32_t f = 0; f < c.n_features; f++) sum += weights_[c.features[f]].bias;
    biases_.push_back({c.token, std::clamp(sum, -kMaxTokenBias, kMaxTokenBias)});
  }
  logits_to_cdf(logits, bits, cdf, scan_, biases_);
}

void Mixer::update(uint32_t token, std::span<const uint32_t> cdf, uint32_t bits) {
  // Each candidate's features move toward what happened: up if it was the token, down by its probability.
  for (const Candidate& c : candidates_) {
    const int64_t p = int64_t(cdf[c.token + 1] - cdf[c.token]) >> (bits - 16);  // Q16
    const int64_t error = (c.token == token ? kOne : 0) - p;
    for (uint32_t f = 0; f < c.n_features; f++) {
      Weight& w = weights_[c.features[f]];
      const int64_t rate = std::max<int64_t>(kRateStart / (w.seen + 2), kRateFloor);
      w.bias = int32_t(std::clamp<int64_t>(w.bias + ((error * rate) >> 16), -kMaxBias, kMaxBias));
      w.seen = std::min<uint16_t>(w.seen + 1, kSeenCap);
    }
  }
  push(token);
}

}  // namespace llmz::detail

namespace llmz {

namespace {
constexpr std::pair<const char*, uint8_t> kPartNames[] = {
    {"match", mix_match}, {"ngram", mix_ngram}, {"calibrate", mix_calibrate}};
}

uint8_t parse_mixing(const std::string& names) {
  if (names == "all") return mix_all;
  if (names == "none") return mix_none;
  uint8_t parts = 0;
  size_t start = 0;
  while (start <= names.size()) {
    const size_t end = std::min(names.find(',', start), names.size());
    const std::string name = names.substr(start, end - start);
    auto it =
        std::find_if(std::begin(kPartNames), std::end(kPartNames), [&](const auto& p) { return name == p.first; });
    if (it == std::end(kPartNames))
      fail(ErrorCode::usage, "unknown mixing part \"" + name + "\" (match, ngram, calibrate, all or none)");
    parts |= it->second;
    start = end + 1;
  }
  return parts;
}

std::string mixing_names(uint8_t parts) {
  std::string s;
  for (const auto& [name, bit] : kPartNames)
    if (parts & bit) {
      if (!s.empty()) s += ',';
      s += name;
    }
  return s.empty() ? "none" : s;
}

}  // namespace llmz
