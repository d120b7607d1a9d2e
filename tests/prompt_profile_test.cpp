// Prompt profiles (src/routing/prompt_profile.h): the routing rule, and storage in adapter files.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "lora/adapter_file.h"
#include "model/fingerprint.h"
#include "model/gguf_writer.h"

namespace llmz::lora {
namespace {

namespace fs = std::filesystem;

PromptProfile profile(std::initializer_list<std::pair<const int32_t, uint32_t>> counts) { return {counts}; }

TEST(PromptProfile, PicksTheProfileThatMakesTheTokensMostLikely) {
  const std::vector<PromptProfile> p = {profile({{1, 10}, {2, 10}}), profile({{3, 10}, {4, 10}})};
  EXPECT_EQ(most_likely_profile(p, std::vector<int32_t>{1, 2, 1}), 0u);
  EXPECT_EQ(most_likely_profile(p, std::vector<int32_t>{3, 4, 9}), 1u);
  EXPECT_EQ(most_likely_profile(p, std::vector<int32_t>{1, 3}), 0u);  // a tie: the first
  EXPECT_EQ(most_likely_profile(p, std::vector<int32_t>{}), 0u);
}

TEST(PromptProfile, SmoothingLetsASmallProfileWinOnItsOwnTokens) {
  // The big profile never saw token 7; the small one did, once.
  const std::vector<PromptProfile> p = {profile({{1, 100000}, {2, 100000}}), profile({{7, 1}, {1, 3}})};
  EXPECT_EQ(most_likely_profile(p, std::vector<int32_t>{7}), 1u);
  EXPECT_EQ(most_likely_profile(p, std::vector<int32_t>{2, 2}), 0u);
}

TEST(PromptProfile, CountsAndHash) {
  PromptProfile a, b;
  a.add(std::vector<int32_t>{5, 3, 5});
  b.add(std::vector<int32_t>{3, 5});
  EXPECT_EQ(a.total(), 3u);
  EXPECT_EQ(a.counts.at(5), 2u);
  EXPECT_NE(a.hash(), b.hash());
  b.add(std::vector<int32_t>{5});
  EXPECT_EQ(a.hash(), b.hash());
}

class AdapterFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("llmz-profile-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string write(const std::string& name, const PromptProfile* prompts) {
    LoraFactors f{
        "blk.0.attn_q.weight", 32, 32, 32, std::vector<float>(32 * 32, 0.5f), std::vector<float>(32 * 32, 0.25f)};
    const std::string path = (dir / name).string();
    write_adapter(path, "llama", "test", {f}, FactorType::q8_0, prompts);
    return path;
  }
  fs::path dir;
};

TEST_F(AdapterFileTest, StoredAndReadBack) {
  const PromptProfile p = profile({{2, 4}, {40000, 1}, {17, 9}});
  const auto read = read_prompt_profile(write("with.gguf", &p));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->counts, p.counts);
  EXPECT_EQ(read->hash(), p.hash());
  EXPECT_FALSE(read_prompt_profile(write("without.gguf", nullptr)).has_value());
}

TEST_F(AdapterFileTest, SetKeepsTheTensorsAndReplacesTheProfile) {
  const PromptProfile first = profile({{1, 1}}), second = profile({{8, 3}, {9, 1}});
  const std::string plain = write("plain.gguf", nullptr), profiled = write("profiled.gguf", &first);
  set_prompt_profile(plain, first);
  set_prompt_profile(profiled, second);
  EXPECT_EQ(read_prompt_profile(plain)->counts, first.counts);
  EXPECT_EQ(read_prompt_profile(profiled)->counts, second.counts);
  EXPECT_EQ(model_fingerprint(plain), model_fingerprint(profiled));  // tensors unchanged
  EXPECT_FALSE(fs::exists(plain + ".tmp"));
}

TEST_F(AdapterFileTest, NotAnAdapterIsRefused) {
  GgufWriter w(1);
  gguf_set_val_str(w.meta(), "general.type", "model");
  w.add_f32("x", {1.0f, 2.0f});
  const std::string path = (dir / "model.gguf").string();
  w.write(path);
  try {
    set_prompt_profile(path, profile({{1, 1}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::model);
  }
}

TEST_F(AdapterFileTest, DamagedProfileIsAModelError) {
  GgufWriter w(1);
  const int32_t tokens[] = {5, 3};  // not ascending
  const uint32_t counts[] = {1, 1};
  gguf_set_arr_data(w.meta(), "llmz.prompt_profile.tokens", GGUF_TYPE_INT32, tokens, 2);
  gguf_set_arr_data(w.meta(), "llmz.prompt_profile.counts", GGUF_TYPE_UINT32, counts, 2);
  w.add_f32("x", {1.0f});
  const std::string path = (dir / "damaged.gguf").string();
  w.write(path);
  try {
    read_prompt_profile(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::model);
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos);
  }
}

}  // namespace
}  // namespace llmz::lora
