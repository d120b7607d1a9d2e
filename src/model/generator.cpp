#include "model/generator.h"

#include <algorithm>
#include <random>

#include "coding/cdf.h"
#include "common/error.h"

namespace llmz::detail {

llama_token argmax(std::span<const float> logits) {
  return llama_token(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Generator::Generator(const LoadedModel& model, uint32_t capacity, uint32_t slots, std::optional<KvCache> kv)
    : model_(model),
      capacity_(capacity),
      evaluator_(model, std::max(slots, 1u), capacity, kv),
      slots_(std::max(slots, 1u)) {}

namespace {

size_t shared_prefix(std::span<const llama_token> a, std::span<const llama_token> b) {
  return size_t(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}

}  // namespace

// The slot that continues these tokens; otherwise the least recently used one, so that a new prompt
// does not evict a conversation that merely starts the same way.
uint32_t Generator::pick_slot(std::span<const llama_token> tokens) const {
  uint32_t best = 0, oldest = 0;
  size_t best_shared = 0;
  for (uint32_t k = 0; k < slots_.size(); k++) {
    const size_t shared = shared_prefix(slots_[k].tokens, tokens);
    if (shared > best_shared) best = k, best_shared = shared;
    if (slots_[k].last_used < slots_[oldest].last_used) oldest = k;
  }
  return best_shared > 0 && 2 * best_shared >= slots_[best].tokens.size() ? best : oldest;
}

std::span<const float> Generator::logits_after(std::span<const llama_token> tokens) {
  if (tokens.empty()) fail(ErrorCode::usage, "nothing to evaluate");
  if (tokens.size() > capacity_)
    fail(ErrorCode::usage, "conversation too long for the model's context (" + std::to_string(tokens.size()) +
                               " tokens, at most " + std::to_string(capacity_) + ")");
  const uint32_t k = pick_slot(tokens);
  Slot& slot = slots_[k];
  slot.last_used = ++clock_;
  // the last token is evaluated again for its logits
  const size_t keep = std::min(shared_prefix(slot.tokens, tokens), tokens.size() - 1);
  if (keep < slot.tokens.size()) {
    evaluator_.clear_from(k, int32_t(keep));
    slot.tokens.resize(keep);
  }
  for (size_t pos = keep; pos < tokens.size();) {
    const size_t end = std::min(tokens.size(), pos + evaluator_.max_batch());
    for (; pos < end; pos++) evaluator_.add(k, tokens[pos], int32_t(pos), pos + 1 == tokens.size());
    evaluator_.run();
  }
  slot.tokens.assign(tokens.begin(), tokens.end());
  return evaluator_.logits(0);
}

// True when the reply's last finished line is a line of some length that it has already written twice:
// small models fall into such loops, and both ends stop at the same place. Short lines repeat in
// sound replies ("\[" and "\]" around each formula, "```" around code) and do not count.
bool stuck_in_loop(const std::string& reply) {
  constexpr size_t kMinLoopLine = 12;  // non-blank bytes
  const size_t end = reply.rfind('\n');
  if (end == std::string::npos) return false;
  const size_t begin = end == 0 ? 0 : reply.rfind('\n', end - 1) + 1;
  const std::string last = reply.substr(begin, end - begin);
  if (size_t(std::count_if(last.begin(), last.end(), [](char c) { return c != ' ' && c != '\t' && c != '\r'; })) <
      kMinLoopLine)
    return false;
  int seen = 0;
  for (size_t pos = 0; pos < begin;) {
    const size_t nl = reply.find('\n', pos);
    if (reply.compare(pos, nl - pos, last) == 0) seen++;
    pos = nl + 1;
  }
  return seen >= 2;
}

bool stuck_in_cycle(std::span<const llama_token> reply) {
  constexpr size_t kSpan = 48, kMaxPeriod = 16;
  if (reply.size() < kSpan) return false;
  for (size_t period = 1; period <= kMaxPeriod; period++) {
    size_t i = reply.size() - kSpan + period;
    while (i < reply.size() && reply[i] == reply[i - period]) i++;
    if (i == reply.size()) return true;
  }
  return false;
}

int64_t Generator::log2_likelihood(std::vector<llama_token> context, std::span<const llama_token> continuation) {
  std::vector<uint32_t> cdf;
  int64_t sum = 0;
  for (llama_token t : continuation) {
    const auto logits = logits_after(context);
    cdf.resize(logits.size() + 1);
    logits_to_cdf(logits, kDefaultCdfBits, cdf);
    sum += log2_share(cdf[size_t(t) + 1] - cdf[size_t(t)], kDefaultCdfBits);
    context.push_back(t);
  }
  return sum;
}

std::string Generator::remembered(ReplyKey key, const std::function<llama_token(std::span<const float>)>& pick) {
  if (auto it = replies_.find(key); it != replies_.end()) return it->second;
  if (replies_.size() >= 1024) replies_.clear();
  const auto& [prompt, max_tokens, single_line, temperature, seed] = key;
  std::string reply = generate(prompt, max_tokens, single_line, pick);
  replies_.emplace(std::move(key), reply);
  return reply;
}

std::string Generator::greedy(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line) {
  return remembered({std::move(prompt), max_tokens, single_line, 0.0f, 0}, argmax);
}

std::string Generator::sample(std::vector<llama_token> prompt, uint32_t max_tokens, float temperature, uint64_t seed) {
  if (temperature <= 0) return greedy(std::move(prompt), max_tokens);
  const float inverse = 1.0f / temperature;  // one IEEE division and products: the same everywhere
  std::mt19937_64 rng(seed);
  std::vector<float> scaled;
  std::vector<uint32_t> cdf;
  return remembered({std::move(prompt), max_tokens, false, temperature, seed}, [&](std::span<const float> logits) {
    scaled.resize(logits.size());
    for (size_t i = 0; i < logits.size(); i++) scaled[i] = logits[i] * inverse;
    cdf.resize(logits.size() + 1);
    logits_to_cdf(scaled, kDefaultCdfBits, cdf);
    const auto draw = uint32_t(rng() >> (64 - kDefaultCdfBits));
    return llama_token(std::upper_bound(cdf.begin(), cdf.end(), draw) - cdf.begin() - 1);
  });
}

std::string Generator::generate(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line,
                                const std::function<llama_token(std::span<const float>)>& pick) {
  std::string reply;
  const size_t prompt_size = prompt.size();
  for (uint32_t n = 0; n < max_tokens && prompt.size() < capacity_; n++) {
    const llama_token t = pick(logits_after(prompt));
    if (model_.ends_generation(t)) break;
    const std::string& piece = model_.piece(t);
    if (single_line) {
      const size_t nl = piece.find('\n');
      const bool has_text = reply.find_first_not_of(" \t\n") != std::string::npos;
      if (nl != std::string::npos && (has_text || piece.find_first_not_of(" \t\n") < nl)) {
        reply += piece.substr(0, nl);
        break;
      }
    }
    reply += piece;
    prompt.push_back(t);
    if (piece.find('\n') != std::string::npos && stuck_in_loop(reply)) break;
    if (stuck_in_cycle(std::span(prompt).subspan(prompt_size))) break;
  }
  return reply;
}

}  // namespace llmz::detail
