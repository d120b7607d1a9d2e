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

uint32_t Generator::slots_side_by_side(size_t replies, uint32_t capacity) {
  constexpr size_t kMostSideBySide = 10, kMostTokens = 10 * 4096;
  const size_t most = std::min(kMostSideBySide, kMostTokens / std::max<size_t>(capacity, 1));
  return uint32_t(std::max<size_t>(kDefaultSlots, std::min(replies, most)));
}

namespace {

size_t shared_prefix(std::span<const llama_token> a, std::span<const llama_token> b) {
  return size_t(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}

}  // namespace

// The slot that continues these tokens; otherwise the least recently used one, so that a new prompt
// does not evict a conversation that merely starts the same way. Slots marked in taken are passed over.
uint32_t Generator::pick_slot(std::span<const llama_token> tokens, const std::vector<bool>& taken) const {
  uint32_t best = UINT32_MAX, oldest = UINT32_MAX;
  size_t best_shared = 0;
  for (uint32_t k = 0; k < slots_.size(); k++) {
    if (k < taken.size() && taken[k]) continue;
    const size_t shared = shared_prefix(slots_[k].tokens, tokens);
    if (best == UINT32_MAX || shared > best_shared) best = k, best_shared = shared;
    if (oldest == UINT32_MAX || slots_[k].last_used < slots_[oldest].last_used) oldest = k;
  }
  if (best == UINT32_MAX) fail(ErrorCode::usage, "no free conversation slot");
  return best_shared > 0 && 2 * best_shared >= slots_[best].tokens.size() ? best : oldest;
}

uint32_t Generator::evaluate(std::span<const llama_token> tokens, const std::vector<bool>& taken) {
  if (tokens.empty()) fail(ErrorCode::usage, "nothing to evaluate");
  if (tokens.size() > capacity_)
    fail(ErrorCode::usage, "conversation too long for the model's context (" + std::to_string(tokens.size()) +
                               " tokens, at most " + std::to_string(capacity_) + ")");
  const uint32_t k = pick_slot(tokens, taken);
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
  return k;
}

std::span<const float> Generator::logits_after(std::span<const llama_token> tokens) {
  evaluate(tokens);
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

namespace {

// A reply as it is written, with the stopping rules of Generator::greedy().
class Reply {
 public:
  Reply(const LoadedModel& model, std::vector<llama_token> prompt, uint32_t max_tokens, uint32_t capacity,
        bool single_line)
      : model_(model),
        tokens_(std::move(prompt)),
        prompt_size_(tokens_.size()),
        max_tokens_(max_tokens),
        capacity_(capacity),
        single_line_(single_line) {}

  // Whether the reply takes another token.
  bool open() const { return !done_ && tokens_.size() - prompt_size_ < max_tokens_ && tokens_.size() < capacity_; }
  // The prompt and the reply's tokens so far.
  const std::vector<llama_token>& tokens() const { return tokens_; }
  const std::string& text() const { return text_; }

  void take(llama_token t) {
    if (model_.ends_generation(t)) {
      done_ = true;
      return;
    }
    const std::string& piece = model_.piece(t);
    if (single_line_) {
      const size_t nl = piece.find('\n');
      const bool has_text = text_.find_first_not_of(" \t\n") != std::string::npos;
      if (nl != std::string::npos && (has_text || piece.find_first_not_of(" \t\n") < nl)) {
        text_ += piece.substr(0, nl);
        done_ = true;
        return;
      }
    }
    text_ += piece;
    tokens_.push_back(t);
    done_ = (piece.find('\n') != std::string::npos && stuck_in_loop(text_)) ||
            stuck_in_cycle(std::span(tokens_).subspan(prompt_size_));
  }

 private:
  const LoadedModel& model_;
  std::vector<llama_token> tokens_;
  size_t prompt_size_;
  uint32_t max_tokens_, capacity_;
  bool single_line_;
  std::string text_;
  bool done_ = false;
};

// Draws tokens from the coder's integer tables of the logits scaled by 1 / temperature, with
// std::mt19937_64(seed), whose output the standard fixes: the same draws on every machine.
std::function<llama_token(std::span<const float>)> temperature_pick(float temperature, uint64_t seed) {
  const float inverse = 1.0f / temperature;  // one IEEE division and products: the same everywhere
  return [inverse, rng = std::mt19937_64(seed), scaled = std::vector<float>(),
          cdf = std::vector<uint32_t>()](std::span<const float> logits) mutable {
    scaled.resize(logits.size());
    for (size_t i = 0; i < logits.size(); i++) scaled[i] = logits[i] * inverse;
    cdf.resize(logits.size() + 1);
    logits_to_cdf(scaled, kDefaultCdfBits, cdf);
    const auto draw = uint32_t(rng() >> (64 - kDefaultCdfBits));
    return llama_token(std::upper_bound(cdf.begin(), cdf.end(), draw) - cdf.begin() - 1);
  };
}

}  // namespace

void Generator::remember(ReplyKey key, const std::string& reply) {
  if (replies_.size() >= 1024) replies_.clear();
  replies_.emplace(std::move(key), reply);
}

Generator::ReplyKey Generator::reply_key(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line,
                                         float temperature, uint64_t seed) {
  if (temperature <= 0) return {std::move(prompt), max_tokens, single_line, 0.0f, 0};
  return {std::move(prompt), max_tokens, single_line, temperature, seed};
}

Generator::Pick Generator::pick_for(const ReplyKey& key) {
  const float temperature = std::get<3>(key);
  return temperature > 0 ? temperature_pick(temperature, std::get<4>(key)) : Pick(argmax);
}

std::string Generator::remembered(ReplyKey key) {
  if (auto it = replies_.find(key); it != replies_.end()) return it->second;
  const auto& [prompt, max_tokens, single_line, temperature, seed] = key;
  std::string reply = generate(prompt, max_tokens, single_line, pick_for(key));
  remember(std::move(key), reply);
  return reply;
}

std::string Generator::greedy(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line) {
  return remembered(reply_key(std::move(prompt), max_tokens, single_line, 0.0f, 0));
}

std::string Generator::sample(std::vector<llama_token> prompt, uint32_t max_tokens, float temperature, uint64_t seed) {
  return remembered(reply_key(std::move(prompt), max_tokens, false, temperature, seed));
}

std::vector<std::string> Generator::sample(const std::vector<llama_token>& prompt, uint32_t max_tokens,
                                           float temperature, std::span<const uint64_t> seeds) {
  std::vector<ReplyKey> keys;
  for (uint64_t seed : seeds) keys.push_back(reply_key(prompt, max_tokens, false, temperature, seed));
  return remembered_side_by_side(keys);
}

std::vector<std::string> Generator::greedy(const std::vector<std::vector<llama_token>>& prompts, uint32_t max_tokens) {
  return sample(prompts, max_tokens, 0.0f, 0);
}

std::vector<std::string> Generator::sample(const std::vector<std::vector<llama_token>>& prompts, uint32_t max_tokens,
                                           float temperature, uint64_t seed) {
  std::vector<ReplyKey> keys;
  for (const auto& prompt : prompts) keys.push_back(reply_key(prompt, max_tokens, false, temperature, seed));
  return remembered_side_by_side(keys);
}

std::vector<std::string> Generator::remembered_side_by_side(const std::vector<ReplyKey>& keys) {
  std::vector<std::string> out(keys.size());
  std::vector<size_t> missing;                            // the first request of each reply not in memory
  std::vector<size_t> written_as(keys.size(), SIZE_MAX);  // for the others: their index in missing
  for (size_t i = 0; i < keys.size(); i++) {
    if (auto it = replies_.find(keys[i]); it != replies_.end()) {
      out[i] = it->second;
      continue;
    }
    const auto same = std::find_if(missing.begin(), missing.end(), [&](size_t j) { return keys[j] == keys[i]; });
    written_as[i] = size_t(same - missing.begin());
    if (same == missing.end()) missing.push_back(i);
  }
  // Replies are handed out as written: remembering one may clear the memory of the others.
  std::vector<std::string> written;
  const size_t wave = std::min<size_t>(slots_.size(), evaluator_.max_batch());
  for (size_t first = 0; first < missing.size(); first += wave) {
    std::vector<const std::vector<llama_token>*> prompts;
    std::vector<Pick> wave_picks;
    for (size_t j = first; j < std::min(missing.size(), first + wave); j++) {
      prompts.push_back(&std::get<0>(keys[missing[j]]));
      wave_picks.push_back(pick_for(keys[missing[j]]));
    }
    for (auto& reply : generate_side_by_side(prompts, std::get<1>(keys[missing[first]]), std::move(wave_picks))) {
      remember(keys[missing[written.size()]], reply);
      written.push_back(std::move(reply));
    }
  }
  for (size_t i = 0; i < keys.size(); i++)
    if (written_as[i] != SIZE_MAX) out[i] = written[written_as[i]];
  return out;
}

std::vector<std::string> Generator::generate_side_by_side(const std::vector<const std::vector<llama_token>*>& prompts,
                                                          uint32_t max_tokens, std::vector<Pick> picks) {
  // Each reply gets a free slot (pick_slot). A prompt is evaluated there once; a reply to a prompt
  // evaluated before gets a copy of that slot. A prompt that leaves no room for a reply is not
  // evaluated: its reply is empty, as one by one.
  std::vector<uint32_t> slot_of(prompts.size());
  std::vector<std::vector<float>> first_logits(prompts.size());
  std::vector<bool> used(slots_.size());
  std::vector<Reply> replies;
  for (size_t i = 0; i < prompts.size(); i++) {
    const auto& prompt = *prompts[i];
    replies.emplace_back(model_, prompt, max_tokens, capacity_, false);
    if (!replies[i].open()) continue;
    size_t same = 0;
    while (same < i && (!replies[same].open() || *prompts[same] != prompt)) same++;
    if (same < i) {
      slot_of[i] = pick_slot(prompt, used);
      evaluator_.copy(slot_of[same], slot_of[i]);
      slots_[slot_of[i]].tokens = prompt;
      slots_[slot_of[i]].last_used = ++clock_;
      first_logits[i] = first_logits[same];
    } else {
      slot_of[i] = evaluate(prompt, used);
      first_logits[i].assign(evaluator_.logits(0).begin(), evaluator_.logits(0).end());
    }
    used[slot_of[i]] = true;
  }
  for (size_t i = 0; i < replies.size(); i++)
    if (replies[i].open()) replies[i].take(picks[i](first_logits[i]));
  first_logits.clear();

  // Each round evaluates the token each open reply took last, all in one call.
  for (;;) {
    std::vector<size_t> open;
    for (size_t i = 0; i < replies.size(); i++)
      if (replies[i].open()) open.push_back(i);
    if (open.empty()) break;
    for (size_t i : open) {
      const auto& tokens = replies[i].tokens();
      evaluator_.add(slot_of[i], tokens.back(), int32_t(tokens.size() - 1), true);
    }
    evaluator_.run();
    for (size_t i : open) slots_[slot_of[i]].tokens.push_back(replies[i].tokens().back());
    for (size_t r = 0; r < open.size(); r++) replies[open[r]].take(picks[open[r]](evaluator_.logits(uint32_t(r))));
  }
  std::vector<std::string> out;
  for (const auto& reply : replies) out.push_back(reply.text());
  return out;
}

std::string Generator::generate(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line,
                                const Pick& pick) {
  Reply reply(model_, std::move(prompt), max_tokens, capacity_, single_line);
  while (reply.open()) reply.take(pick(logits_after(reply.tokens())));
  return reply.text();
}

}  // namespace llmz::detail
