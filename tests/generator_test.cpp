// Deterministic generation: several cached conversations give exactly the logits of a fresh cache,
// remembered replies equal regenerated ones, and the loop rules stop where they should.
#include "model/generator.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "test_models.h"

namespace llmz::detail {
namespace {

std::vector<float> fresh_logits(const LoadedModel& m, const std::vector<llama_token>& tokens) {
  Generator g(m, 512, 1);
  const auto l = g.logits_after(tokens);
  return {l.begin(), l.end()};
}

TEST(Generator, SlotsSwitchingBetweenPromptsGiveTheLogitsOfAFreshCache) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  const std::vector<llama_token> a = m.tokenize("Problem: a farmer has seven cows and buys three more.", false);
  auto b = a;  // shares a's start, as the question and answer prompts share the problem
  for (auto t : m.tokenize(" Question: is it ten?", false)) b.push_back(t);
  const std::vector<llama_token> c = m.tokenize("An unrelated prompt about the weather in spring", false);
  auto a_more = a;
  for (auto t : m.tokenize(" He sells two.", false)) a_more.push_back(t);

  Generator g(m, 512, 2);  // fewer slots than prompts: eviction is exercised too
  const std::vector<llama_token>* order[] = {&a, &b, &c, &a_more, &b, &a, &c, &a_more};
  for (const auto* tokens : order) {
    const auto l = g.logits_after(*tokens);
    EXPECT_EQ(std::vector<float>(l.begin(), l.end()), fresh_logits(m, *tokens));
  }
}

TEST(Generator, RememberedRepliesEqualRegeneratedOnes) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  const auto prompt = m.tokenize("Once upon a time", false);
  Generator g(m, 512);
  const std::string first = g.greedy(prompt, 40);
  g.logits_after(m.tokenize("something else entirely", false));
  EXPECT_EQ(g.greedy(prompt, 40), first);
  EXPECT_EQ(Generator(m, 512).greedy(prompt, 40), first);
  EXPECT_EQ(Generator(m, 512).greedy(prompt, 20), Generator(m, 512, 1).greedy(prompt, 20));
}

// Samples are drawn from the coder's integer tables with a standard generator: the same seed gives the
// same reply on a fresh cache and with other threads, so both ends of the QA protocol may sample.
TEST(Generator, SamplesRepeatForTheSameSeed) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path(), 2));
  const LoadedModel& m1 = detail::loaded_model(test::cached_model(test::tiny_model_path(), 1));
  const auto prompt = m.tokenize("Once upon a time", false);
  Generator g(m, 512);
  std::set<std::string> replies;
  for (uint64_t seed = 1; seed <= 4; seed++) {
    const std::string reply = g.sample(prompt, 24, 0.7f, seed);
    EXPECT_EQ(Generator(m1, 512, 1).sample(prompt, 24, 0.7f, seed), reply) << "seed " << seed;
    replies.insert(reply);
  }
  EXPECT_GE(replies.size(), 2u);  // seeds differ
  EXPECT_EQ(g.sample(prompt, 24, 0.0f, 9), g.greedy(prompt, 24));
}

// Replies written side by side (a copied prompt, one call per round for all) are the ones sample() writes
// one at a time on one thread: on the tiny model in waves smaller than the seeds, with one reply already
// remembered, and on the Qwen 0.5B (candidates mode's SLM), whose chat replies end at different lengths.
void expect_side_by_side_equal_one_by_one(const std::string& model, const std::vector<llama_token>& prompt,
                                          uint32_t slots, uint32_t max_tokens) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(model, 2));
  const LoadedModel& m1 = detail::loaded_model(test::cached_model(model, 1));
  const std::vector<uint64_t> seeds = {11, 12, 13, 14, 15, 16, 17};
  Generator g(m, 1024, slots);
  const std::string third = g.sample(prompt, max_tokens, 0.7f, seeds[2]);
  const auto together = g.sample(prompt, max_tokens, 0.7f, seeds);
  ASSERT_EQ(together.size(), seeds.size());
  std::set<size_t> lengths;
  for (size_t i = 0; i < seeds.size(); i++) {
    EXPECT_EQ(together[i], Generator(m1, 1024, 1).sample(prompt, max_tokens, 0.7f, seeds[i])) << "seed " << seeds[i];
    lengths.insert(together[i].size());
  }
  EXPECT_EQ(together[2], third);
  EXPECT_GE(lengths.size(), 3u);  // replies differ
}

TEST(Generator, SideBySideSamplesEqualOneByOne) {
  const LoadedModel& tiny = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  expect_side_by_side_equal_one_by_one(test::tiny_model_path(), tiny.tokenize("Once upon a time", false), 4, 24);
  const LoadedModel& qwen = detail::loaded_model(test::cached_model(test::qwen_small_model_path()));
  expect_side_by_side_equal_one_by_one(
      test::qwen_small_model_path(),
      qwen.chat_tokens("Name one colour of the rainbow, with a short reason. Answer in one sentence."), 8, 40);
}

// A follow-up turn continues the conversation that wrote the reply: its tokens start with the
// prompt's and the reply's, so the cache holds all but the new turn (the oracle's follow-up questions).
TEST(Generator, FollowUpTurnStartsWithThePromptAndItsReply) {
  const LoadedModel& qwen = detail::loaded_model(test::cached_model(test::qwen_small_model_path()));
  const std::string user = "Name one colour of the rainbow. Answer in one sentence.";
  const auto prompt = qwen.chat_tokens(user);
  EXPECT_EQ(qwen.chat_tokens(user_turn(user)), prompt);
  const std::string reply = Generator(qwen, 512).greedy(prompt, 24);
  const auto turn = qwen.chat_tokens({{"user", user}, {"assistant", reply}, {"user", "Is it red? Yes or No."}});
  auto expected = prompt;
  const auto reply_tokens = qwen.tokenize(reply, false);
  expected.insert(expected.end(), reply_tokens.begin(), reply_tokens.end());
  ASSERT_GT(turn.size(), expected.size() + 5);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), turn.begin()));

  // Without a chat template the turns are the texts, each after a blank line.
  const LoadedModel& tiny = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  ASSERT_FALSE(tiny.has_chat_template());
  auto plain = tiny.tokenize("a\n\nb\n\nc", /*parse_special=*/true);
  plain.insert(plain.begin(), tiny.start_token());
  EXPECT_EQ(tiny.chat_tokens({{"user", "a"}, {"assistant", "b"}, {"user", "c"}}), plain);
  EXPECT_EQ(test::error_of([&] { tiny.chat_tokens(Conversation{}); }), ErrorCode::usage);
}

// Greedy replies to several prompts side by side (some alike, some sharing a start with what a slot
// holds, one too long for the conversation) are the ones greedy() gives one at a time on one thread.
TEST(Generator, SideBySideGreedyRepliesEqualOneByOne) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  const LoadedModel& m1 = detail::loaded_model(test::cached_model(test::tiny_model_path(), 1));
  auto t = [&](const std::string& text) { return m.tokenize(text, false); };
  const std::vector<std::vector<llama_token>> prompts = {t("Once upon a time"),
                                                         t("Once upon a time there was"),
                                                         t("A different start"),
                                                         t("Once upon a time"),
                                                         t(std::string(300, 'z') + " far too long"),
                                                         t("Yet another prompt, the sixth")};
  ASSERT_GT(prompts[4].size(), 64u);
  Generator g(m, 64, 4);  // waves of four
  g.logits_after(t("Once upon a"));
  const auto together = g.greedy(prompts, 20);
  ASSERT_EQ(together.size(), prompts.size());
  for (size_t i = 0; i < prompts.size(); i++)
    EXPECT_EQ(together[i], Generator(m1, 64, 1).greedy(prompts[i], 20)) << "prompt " << i;
  EXPECT_EQ(together[4], "");
  EXPECT_EQ(g.greedy(prompts[1], 20), together[1]);  // remembered
}

// Several prompts sampled side by side with one seed: each gets the reply sample() gives it alone.
TEST(Generator, SideBySideSampledRepliesEqualOneByOne) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  const LoadedModel& m1 = detail::loaded_model(test::cached_model(test::tiny_model_path(), 1));
  auto t = [&](const std::string& text) { return m.tokenize(text, false); };
  const std::vector<std::vector<llama_token>> prompts = {t("Once upon a time"), t("A different start"),
                                                         t("Once upon a time"), t("Yet another prompt")};
  Generator g(m, 64, 3);
  const auto together = g.sample(prompts, 16, 0.7f, 5);
  for (size_t i = 0; i < prompts.size(); i++)
    EXPECT_EQ(together[i], Generator(m1, 64, 1).sample(prompts[i], 16, 0.7f, 5)) << "prompt " << i;
  EXPECT_NE(together, g.sample(prompts, 16, 0.7f, 6));  // another seed draws other replies
  EXPECT_EQ(g.sample(prompts, 16, 0.0f, 5), g.greedy(prompts, 16));
}

// The memory of replies is cleared when full; one that fills up in the middle of a side-by-side call
// must not lose the replies written before in that call.
TEST(Generator, SideBySideRepliesSurviveTheMemoryFillingUp) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  const LoadedModel& m1 = detail::loaded_model(test::cached_model(test::tiny_model_path(), 1));
  Generator g(m, 64, 4);
  for (llama_token t = 0; t < 1020; t++)  // 1020 replies remembered
    g.greedy(std::vector<llama_token>{t % llama_token(m.n_vocab())}, 1);
  const auto prompt = m.tokenize("Once upon a time", false);
  const std::vector<uint64_t> seeds = {1, 2, 3, 4, 5, 6, 7};
  const auto together = g.sample(prompt, 8, 0.7f, seeds);
  for (size_t i = 0; i < seeds.size(); i++)
    EXPECT_EQ(together[i], Generator(m1, 64, 1).sample(prompt, 8, 0.7f, seeds[i])) << "seed " << seeds[i];
}

// A prompt that fills the conversation gets empty replies side by side too, as one by one: never an error.
TEST(Generator, SideBySideSamplesOfAFullPromptAreEmpty) {
  const LoadedModel& m = detail::loaded_model(test::cached_model(test::tiny_model_path()));
  const auto prompt = m.tokenize("a prompt of more tokens than the conversation holds, by some way", false);
  ASSERT_GT(prompt.size(), 8u);
  Generator g(m, 8, 4);
  const std::vector<uint64_t> seeds = {1, 2, 3};
  EXPECT_EQ(g.sample(prompt, 16, 0.7f, seeds), std::vector<std::string>(3));
  EXPECT_EQ(g.sample(prompt, 16, 0.7f, 1), "");
}

TEST(Generator, LineRuleIgnoresShortLines) {
  EXPECT_TRUE(stuck_in_loop("The answer is 42 apples.\nThe answer is 42 apples.\nThe answer is 42 apples.\n"));
  EXPECT_FALSE(stuck_in_loop("The answer is 42 apples.\nThe answer is 42 apples.\n"));
  EXPECT_FALSE(
      stuck_in_loop("The answer is 42 apples.\nThe answer is 42 apples.\nThe answer is 42 apples."));  // unfinished
  // Formulas and code blocks repeat their short delimiters in sound replies.
  EXPECT_FALSE(stuck_in_loop("\\[\na = 1\n\\]\n\\[\nb = 2\n\\]\n\\[\nc = 3\n\\]\n\\[\n"));
  EXPECT_FALSE(stuck_in_loop("```\nx\n```\n```\ny\n```\n```\n"));
}

TEST(Generator, CycleRuleCatchesShortLoopsOnly) {
  std::vector<llama_token> digits(48, 17);
  EXPECT_TRUE(stuck_in_cycle(digits));
  digits.pop_back();
  EXPECT_FALSE(stuck_in_cycle(digits));  // too short to tell

  std::vector<llama_token> choices;  // "A. B. C. D." eight tokens, six times
  for (int r = 0; r < 6; r++)
    for (llama_token t : {1, 2, 3, 2, 4, 2, 5, 2}) choices.push_back(t);
  EXPECT_TRUE(stuck_in_cycle(choices));

  std::vector<llama_token> text(100);
  for (size_t i = 0; i < text.size(); i++) text[i] = llama_token(i % 17);  // period 17: allowed
  EXPECT_FALSE(stuck_in_cycle(text));
  std::vector<llama_token> broken(48, 9);
  broken[1] = 3;  // the cycle starts one token too late
  EXPECT_FALSE(stuck_in_cycle(broken));
}

}  // namespace
}  // namespace llmz::detail
