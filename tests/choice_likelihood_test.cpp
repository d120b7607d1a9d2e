// Multiple choice by likelihood: the real model ranks plainly right options first, and the cached question gives
// exactly the scores of a fresh generator.
#include "eval/choice_likelihood.h"

#include <gtest/gtest.h>

#include "test_models.h"

namespace llmz::eval {
namespace {

const std::string kStem = "What is the capital of France?";

TEST(ChoiceLikelihood, RealModelPicksThePlainAnswers) {
  const auto& m = detail::loaded_model(test::cached_model(test::real_model_path()));
  detail::Generator g(m, 512);
  EXPECT_EQ(likeliest_choice(g, kStem, {"Tokyo", "Paris", "Cairo", "Lima"}), 1u);
  EXPECT_EQ(likeliest_choice(g, "What color is the sky on a clear day?", {"green", "brown", "blue"}), 2u);
  EXPECT_EQ(likeliest_choice(g, "What do bees make?", {"honey", "steel", "glass"}), 0u);
}

TEST(ChoiceLikelihood, SharedCacheScoresAsAFreshGenerator) {
  const auto& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  detail::Generator warm(m, 512, 2);
  warm.logits_after(m.tokenize("an unrelated conversation first", false));
  const std::vector<std::string> choices = {"red apples", "blue sky", "green grass",
                                            "a very long option about many things"};
  for (const std::string& stem : {kStem, std::string("Pick one.")}) {
    detail::Generator fresh(m, 512, 1);
    const auto scores = choice_scores(warm, stem, choices);
    EXPECT_EQ(scores, choice_scores(fresh, stem, choices)) << stem;
    EXPECT_NE(scores[0], scores[1]);
  }
}

}  // namespace
}  // namespace llmz::eval
