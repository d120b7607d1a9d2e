#include "lossless/context_models.h"

#include <algorithm>
#include <bit>

namespace llmz::detail {

uint64_t TokenHistory::suffix_hash(uint32_t order) const {
  uint64_t h = 0x9E3779B97F4A7C15ull * (order + 1);
  for (uint32_t i = size() - order; i < size(); i++) h = (h ^ (tokens_[i] + 1)) * 0xD6E8FEB86659FD93ull;
  return h ^ (h >> 29);
}

uint32_t table_bits_for(uint32_t tokens) {
  const uint32_t wanted = std::bit_width(uint64_t(tokens) * 2);
  return std::clamp<uint32_t>(wanted, 10, 22);
}

void MatchModel::update(const TokenHistory& h) {
  const uint32_t n = h.size();
  if (length_ > 0) {
    if (h[next_] == h[n - 1]) {
      next_++;
      length_ = std::min<uint32_t>(length_ + 1, 0xFFFF);
    } else {
      length_ = 0;
    }
  }
  if (n < kMinLength) return;
  uint32_t& last = last_[h.suffix_hash(kMinLength) >> (64 - bits_)];
  if (length_ == 0 && last > 0) {
    // A hash hit is only a candidate: count how many tokens really match before it.
    constexpr uint32_t kLongest = 32;
    uint32_t length = 0;
    while (length < kLongest && length < last && h[last - 1 - length] == h[n - 1 - length]) length++;
    if (length >= kMinLength) next_ = last, length_ = length;
  }
  last = n;
}

const NgramModel::Slot* NgramModel::lookup(const TokenHistory& h) const {
  if (h.size() < order_) return nullptr;
  const uint64_t hash = h.suffix_hash(order_);
  const Slot& s = slots_[hash >> (64 - bits_)];
  return s.check == (uint32_t(hash) | 1) ? &s : nullptr;
}

void NgramModel::update(const TokenHistory& h, uint32_t token) {
  if (h.size() < order_) return;
  const uint64_t hash = h.suffix_hash(order_);
  Slot& s = slots_[hash >> (64 - bits_)];
  if (s.check != (uint32_t(hash) | 1)) s = Slot{uint32_t(hash) | 1};  // a new context takes the slot
  for (uint32_t w = 0; w < kWays; w++) {
    if (s.counts[w] > 0 && s.tokens[w] == token) {
      if (++s.counts[w] == 0xFFFF)
        for (auto& c : s.counts) c = uint16_t((c + 1) / 2);
      return;
    }
  }
  // A token not yet seen here replaces the least counted one (the first of equals).
  uint32_t weakest = 0;
  for (uint32_t w = 1; w < kWays; w++)
    if (s.counts[w] < s.counts[weakest]) weakest = w;
  s.tokens[weakest] = token;
  s.counts[weakest] = 1;
}

void MatchDrafter::push(uint32_t token) {
  if (right_ < pending_.size()) {
    if (pending_[right_] == token) {
      if (++right_ == pending_.size()) length_ = std::min(2 * right_, kMaxGuesses), pending_.clear();
    } else {
      length_ = std::max(right_, 1u);
      pending_.clear();
    }
  }
  history_.push(token);
  match_.update(history_);
}

void MatchDrafter::draft(uint32_t max, std::vector<uint32_t>& out) {
  out.clear();
  pending_.clear();
  right_ = 0;
  if (match_.length() < kMinMatch) return;
  const uint32_t n = history_.size();
  max = std::min(max, length_);
  for (uint32_t q = match_.next(); out.size() < max; q++) out.push_back(q < n ? history_[q] : out[q - n]);
  pending_ = out;
}

}  // namespace llmz::detail
