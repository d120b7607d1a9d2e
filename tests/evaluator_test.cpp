// The evaluator's thread counts: what the last call used is what post-processing of its logits may
// use, so a one-token call kept on one thread must not report the batches' count.
#include "model/evaluator.h"

#include <gtest/gtest.h>

#include "test_models.h"

namespace llmz::detail {
namespace {

TEST(Evaluator, ThreadsAreTheLastCallsOwn) {
  const LoadedModel& m = loaded_model(test::cached_model(test::tiny_model_path(), 2));
  ASSERT_EQ(m.threads(), 2);
  ASSERT_TRUE(m.fixed_threads());
  Evaluator ev(m, 1, 64, KvCache::f16);  // F16: one-token calls stay on one thread (design §4)
  const auto tokens = m.tokenize("Once upon a time", false);
  ASSERT_GE(tokens.size(), 3u);
  ev.add(0, tokens[0], 0, false);
  ev.add(0, tokens[1], 1, true);
  ev.run();
  EXPECT_EQ(ev.threads(), 2);
  ev.add(0, tokens[2], 2, true);
  ev.run();
  EXPECT_EQ(ev.threads(), 1);
}

}  // namespace
}  // namespace llmz::detail
