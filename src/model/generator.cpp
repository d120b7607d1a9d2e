#include "model/generator.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace llmz::detail {

llama_token argmax(std::span<const float> logits) {
  return llama_token(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Generator::Generator(const LoadedModel& model, uint32_t capacity)
    : model_(model), capacity_(capacity), evaluator_(model, 1, capacity) {}

std::span<const float> Generator::logits_after(std::span<const llama_token> tokens) {
  if (tokens.empty()) fail(ErrorCode::usage, "nothing to evaluate");
  if (tokens.size() > capacity_)
    fail(ErrorCode::usage, "conversation too long for the model's context (" + std::to_string(tokens.size()) +
                               " tokens, at most " + std::to_string(capacity_) + ")");
  size_t keep = std::mismatch(cached_.begin(), cached_.end(), tokens.begin(), tokens.end()).first - cached_.begin();
  keep = std::min(keep, tokens.size() - 1);  // the last token is evaluated again for its logits
  if (keep < cached_.size()) {
    evaluator_.clear_from(0, int32_t(keep));
    cached_.resize(keep);
  }
  for (size_t pos = keep; pos < tokens.size();) {
    const size_t end = std::min(tokens.size(), pos + evaluator_.max_batch());
    for (; pos < end; pos++) evaluator_.add(0, tokens[pos], int32_t(pos), pos + 1 == tokens.size());
    evaluator_.run();
  }
  cached_.assign(tokens.begin(), tokens.end());
  return evaluator_.logits(0);
}

namespace {

// True when the reply's last finished line is a non-blank line it has already written twice: small
// models fall into such loops, and both ends stop at the same place.
bool stuck_in_loop(const std::string& reply) {
  const size_t end = reply.rfind('\n');
  if (end == std::string::npos) return false;
  const size_t begin = end == 0 ? 0 : reply.rfind('\n', end - 1) + 1;
  const std::string last = reply.substr(begin, end - begin);
  if (last.find_first_not_of(" \t\r") == std::string::npos) return false;
  int seen = 0;
  for (size_t pos = 0; pos < begin;) {
    const size_t nl = reply.find('\n', pos);
    if (reply.compare(pos, nl - pos, last) == 0) seen++;
    pos = nl + 1;
  }
  return seen >= 2;
}

}  // namespace

std::string Generator::greedy(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line) {
  return generate(std::move(prompt), max_tokens, single_line, argmax);
}

std::string Generator::sample(std::vector<llama_token> prompt, uint32_t max_tokens, float temperature,
                              std::mt19937_64& rng) {
  if (temperature <= 0) return greedy(std::move(prompt), max_tokens);
  std::vector<double> weights;
  return generate(std::move(prompt), max_tokens, false, [&](std::span<const float> logits) {
    const float top = *std::max_element(logits.begin(), logits.end());
    weights.resize(logits.size());
    for (size_t i = 0; i < logits.size(); i++) weights[i] = std::exp((logits[i] - top) / temperature);
    return llama_token(std::discrete_distribution<size_t>(weights.begin(), weights.end())(rng));
  });
}

std::string Generator::generate(std::vector<llama_token> prompt, uint32_t max_tokens, bool single_line,
                                const std::function<llama_token(std::span<const float>)>& pick) {
  std::string reply;
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
  }
  return reply;
}

}  // namespace llmz::detail
