#include "model/thread_choice.h"

#include <algorithm>

namespace llmz::detail {

namespace {

// Under load a call on every core can cost ten times one on a single core, so a trial of the other
// choice ends after one call when it is clearly worse, and a choice that lost is tried four times
// more rarely each time (at most every 1024 calls: under 1% of the time). Beside a busy process the
// many-thread calls are fast now and then, when the scheduler happens to leave both cores free: a
// switch needs a trial of several calls, or lucky calls make the choice flip back and forth.
constexpr uint32_t kTrialCalls = 4;     // calls with the other choice before comparing
constexpr double kClearlyWorse = 1.5;   // a trial this much costlier than the current ends at once
constexpr uint32_t kFirstExplore = 16;  // calls after a switch before the other is tried again
constexpr uint32_t kMaxExploreEvery = 1024;
constexpr double kSmoothing = 0.2;  // weight of the newest call in the running cost

}  // namespace

ThreadChoice::ThreadChoice(int max_threads, bool fixed)
    : max_(std::max(1, max_threads)), fixed_(fixed || max_ == 1), current_(max_) {}

int ThreadChoice::next() {
  if (fixed_) return max_;
  if (trying_) return trying_;
  if (++calls_ >= explore_every_ && cost_of(current_) > 0) {
    trying_ = current_ == 1 ? max_ : 1;
    trial_seconds_ = 0, trial_tokens_ = 0, trial_calls_ = 0;
    return trying_;
  }
  return current_;
}

void ThreadChoice::record(double seconds, uint32_t tokens) {
  if (fixed_ || tokens == 0) return;
  if (!trying_) {
    double& c = cost_of(current_);
    const double per_token = seconds / tokens;
    c = c == 0 ? per_token : (1 - kSmoothing) * c + kSmoothing * per_token;
    return;
  }
  trial_seconds_ += seconds, trial_tokens_ += tokens;
  const double trial = trial_seconds_ / trial_tokens_;
  const bool clearly_worse = trial > kClearlyWorse * cost_of(current_);
  if (++trial_calls_ < kTrialCalls && !clearly_worse) return;
  // Switch only for a clear gain: the two are close for tiny batches, and timings are noisy.
  if (trial < 0.9 * cost_of(current_)) {
    current_ = trying_;
    cost_of(current_) = trial;
    explore_every_ = kFirstExplore;
  } else {
    explore_every_ = std::min(kMaxExploreEvery, explore_every_ * 4);
  }
  calls_ = 0;
  trying_ = 0;
}

}  // namespace llmz::detail
