// The thread count chooser, driven by made-up timings: which choice it settles on, and how often it
// pays for trying the other one.
#include "model/thread_choice.h"

#include <gtest/gtest.h>

#include <functional>

namespace llmz::detail {
namespace {

struct Calls {
  uint32_t one_thread = 0, many_threads = 0;  // calls made with each choice
  double seconds = 0;
};

// Makes `calls` calls of 32 tokens; cost(threads, call) gives one call's seconds.
Calls simulate(ThreadChoice& choice, uint32_t calls, const std::function<double(int, uint32_t)>& cost) {
  Calls r;
  for (uint32_t i = 0; i < calls; i++) {
    const int t = choice.next();
    (t == 1 ? r.one_thread : r.many_threads)++;
    const double s = cost(t, i);
    r.seconds += s;
    choice.record(s, 32);
  }
  return r;
}

TEST(ThreadChoice, FixedCountIsAlwaysUsed) {
  ThreadChoice choice(2, true);
  const Calls r = simulate(choice, 500, [](int t, uint32_t) { return t == 1 ? 1.0 : 10.0; });
  EXPECT_EQ(r.many_threads, 500u);
}

TEST(ThreadChoice, OneCoreMeansOneThread) {
  ThreadChoice choice(1, false);
  EXPECT_EQ(choice.max_threads(), 1);
  EXPECT_EQ(simulate(choice, 100, [](int, uint32_t) { return 1.0; }).one_thread, 100u);
}

TEST(ThreadChoice, IdleMachineKeepsEveryCore) {
  ThreadChoice choice(2, false);
  const Calls r = simulate(choice, 2000, [](int t, uint32_t) { return t == 1 ? 1.0 : 0.55; });
  EXPECT_LT(r.one_thread, 20u);  // a few trials, ever rarer
}

// A busy machine: every core costs ten times one thread. The choice moves to one thread at once, and
// the trials of every core cost under 5% of the best fixed choice's time.
TEST(ThreadChoice, BusyMachineMovesToOneThreadCheaply) {
  ThreadChoice choice(2, false);
  const Calls r = simulate(choice, 1200, [](int t, uint32_t) { return t == 1 ? 1.0 : 10.0; });
  EXPECT_LT(r.many_threads, 8u);
  EXPECT_LT(r.seconds, 1.05 * 1200);
}

TEST(ThreadChoice, FollowsTheLoadWhenItChanges) {
  ThreadChoice choice(2, false);
  // Busy for 300 calls, then idle: every core wins again within about a thousand calls (the longest
  // wait between trials) and stays.
  EXPECT_LT(simulate(choice, 300, [](int t, uint32_t) { return t == 1 ? 1.0 : 10.0; }).many_threads, 8u);
  simulate(choice, 1100, [](int t, uint32_t) { return t == 1 ? 1.0 : 0.5; });
  EXPECT_GT(simulate(choice, 400, [](int t, uint32_t) { return t == 1 ? 1.0 : 0.5; }).many_threads, 395u);
}

}  // namespace
}  // namespace llmz::detail
