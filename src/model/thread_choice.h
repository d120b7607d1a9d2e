// Chooses the thread count of each evaluation call by measuring it. On a busy machine a call split
// over every core waits at each graph barrier for the thread the scheduler moved off its core, and
// becomes many times slower than one thread; on an idle machine it is faster. The thread count never
// changes the logits (design §4), so the choice changes only speed.
#pragma once
#include <cstdint>

namespace llmz::detail {

class ThreadChoice {
 public:
  // fixed: always max_threads; otherwise choose between max_threads and one thread as measured.
  ThreadChoice(int max_threads, bool fixed);

  int max_threads() const { return max_; }
  // Threads for the next call (now and then the other choice, to see whether it has become faster).
  int next();
  // What the call made with next()'s threads cost: seconds for this many evaluated tokens.
  void record(double seconds, uint32_t tokens);

 private:
  int max_;
  bool fixed_;
  int current_;                             // the choice believed faster
  int trying_ = 0;                          // the other choice, while it is being tried; else 0
  double cost_[2] = {0, 0};                 // smoothed seconds per token: [0] one thread, [1] max_ threads
  uint32_t calls_ = 0, explore_every_ = 2;  // the first trial comes early: a busy machine shows at once
  double trial_seconds_ = 0;
  uint32_t trial_tokens_ = 0, trial_calls_ = 0;
  double& cost_of(int threads) { return cost_[threads == 1 ? 0 : 1]; }
};

}  // namespace llmz::detail
