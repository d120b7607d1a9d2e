// End-to-end round trips through the library API, with the tiny random model (fast, exhaustive)
// and the real default model (the contract users rely on).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zstd.h>

#include "coding/container.h"
#include "llmz/llmz.h"
#include "test_models.h"

namespace llmz {
namespace {

using test::bytes_of;
using test::cached_model;
using test::error_of;
using test::random_bytes;
using test::sample_text;

std::vector<uint8_t> round_trip(const Model& m, const std::vector<uint8_t>& input, CompressOptions c = {},
                                DecompressOptions d = {}) {
  d.context = c.context;
  auto packed = compress(m, input, c);
  auto back = decompress(m, packed, d);
  EXPECT_EQ(back, input);
  return packed;
}

class Lossless : public ::testing::TestWithParam<std::string> {
 protected:
  const Model& model() { return cached_model(GetParam()); }
  // Short chunks: a lone chunk decodes one token per forward pass, several decode side by side.
  // Always the model, so that the tiny model's text is not sent to zstd instead.
  CompressOptions short_chunks() const {
    CompressOptions c;
    c.window_tokens = 256;
    c.window_overlap = 64;
    c.always_model = true;
    return c;
  }
};

TEST_P(Lossless, EdgeInputs) {
  round_trip(model(), {});
  round_trip(model(), bytes_of("a"));
  round_trip(model(), {0});
  round_trip(model(), random_bytes(3000, 1));
  round_trip(model(), bytes_of("caf\xc3\xa9 \xff\xfe broken \xc3 utf-8 \xed\xa0\x80 surrogate, end"));
  round_trip(model(), bytes_of(std::string("nul\0bytes\0inside text that is otherwise fine\0", 46)));
  round_trip(model(), bytes_of("<|im_start|>user\nspecial-token syntax is plain text here<|im_end|>\n"));
}

TEST_P(Lossless, TextIsCodedByTheModel) {
  auto text = bytes_of(sample_text(4000, 3));
  auto packed = round_trip(model(), text, short_chunks());
  FileInfo info = inspect(packed);
  EXPECT_EQ(info.llm_bytes, text.size());
  EXPECT_EQ(info.zstd_chunks + info.stored_chunks, 0u);
}

// Without always_model a chunk goes to whichever coder is smaller: zstd for the tiny random model's
// text, the model for the real one's.
TEST_P(Lossless, EachChunkTakesTheSmallerCoder) {
  auto text = bytes_of(sample_text(4000, 3));
  CompressOptions c = short_chunks();
  const auto model_only = compress(model(), text, c);
  c.always_model = false;
  const auto packed = round_trip(model(), text, c);
  FileInfo info = inspect(packed);
  const bool tiny = GetParam() == test::tiny_model_path();
  EXPECT_EQ(info.llm_chunks, tiny ? 0u : inspect(model_only).llm_chunks);
  EXPECT_EQ(info.zstd_chunks, tiny ? inspect(model_only).llm_chunks : 0u);
  if (tiny)
    EXPECT_LT(packed.size(), model_only.size());
  else
    EXPECT_EQ(packed, model_only);
}

TEST_P(Lossless, MixedTextAndBinary) {
  auto input = bytes_of(sample_text(2000, 4));
  auto bin = random_bytes(500, 5);
  input.insert(input.begin() + 700, bin.begin(), bin.end());
  auto packed = round_trip(model(), input, short_chunks());
  FileInfo info = inspect(packed);
  EXPECT_GE(info.llm_chunks, 2u);
  EXPECT_GE(info.zstd_chunks + info.stored_chunks, 1u);
}

TEST_P(Lossless, HundredKilobyteLine) {
  // No line end to cut at: 64 KB pieces are cut at a character start, here inside a run of 'é'.
  std::string line(65535, '=');
  for (int i = 0; i < 1000; i++) line += "\xc3\xa9";
  line.resize(100000, '-');
  round_trip(model(), bytes_of(line), short_chunks());
}

INSTANTIATE_TEST_SUITE_P(Models, Lossless, ::testing::Values(test::tiny_model_path(), test::real_model_path()),
                         [](const auto& info) { return info.index == 0 ? "tiny" : "smollm2"; });

// Any decoder stream count, any thread count, reproduces the encoder's probabilities.
TEST(Determinism, StreamsAndThreadsDoNotChangeTheBits) {
  auto input = bytes_of(sample_text(12000, 6));
  const Model& one = cached_model(test::tiny_model_path(), 1);
  const Model& two = cached_model(test::tiny_model_path(), 2);
  CompressOptions c;
  c.window_tokens = 200;  // chunks of several windows, with ragged ends
  c.window_overlap = 50;
  c.streams = 5;
  c.always_model = true;
  auto packed = compress(one, input, c);
  EXPECT_EQ(inspect(packed).llm_chunks, 5u);  // one chunk per stream, each several windows long
  EXPECT_EQ(compress(two, input, c), packed) << "the thread count changed the file";
  for (uint32_t streams : {1u, 3u, 7u, 64u}) {
    DecompressOptions d;
    d.streams = streams;
    EXPECT_EQ(decompress(streams % 2 ? two : one, packed, d), input) << streams << " streams";
  }
}

// Draft and verify: on text full of repeats the decoder's guesses are often right and sometimes wrong,
// across window ends (re-read and sliding) and with several streams in lock-step; the output is the
// input whatever the streams and threads.
TEST(Determinism, DecodingWithGuessesReproducesTheInput) {
  std::string text;
  for (int r = 0; r < 12; r++)
    text += sample_text(300, 3) + (r % 3 ? " and once more, " : " but then ") + sample_text(90, r);
  const auto input = bytes_of(text);
  const Model& one = cached_model(test::tiny_model_path(), 1);
  const Model& two = cached_model(test::tiny_model_path(), 2);
  for (bool sliding : {false, true}) {
    CompressOptions c;
    c.window_tokens = 256;
    c.window_overlap = 64;
    c.sliding_window = sliding;
    c.streams = 2;
    c.always_model = true;
    const auto packed = compress(one, input, c);
    for (uint32_t streams : {1u, 2u}) {
      DecompressOptions d;
      d.streams = streams;
      EXPECT_EQ(decompress(streams == 1 ? two : one, packed, d), input) << streams << " streams, sliding " << sliding;
    }
  }
}

TEST(Determinism, RealModelAcrossStreamCounts) {
  auto input = bytes_of(sample_text(6000, 7));
  const Model& m = cached_model(test::real_model_path());
  CompressOptions c;
  c.window_tokens = 300;
  c.window_overlap = 100;
  c.streams = 3;
  auto packed = compress(m, input, c);
  DecompressOptions d;
  d.streams = 2;
  EXPECT_EQ(decompress(m, packed, d), input);
}

// One stream decodes one token per call. On the real model's Q8_0 cache those calls run on two threads
// past 512 tokens of context (where an F16 cache would split its keys over the threads and change the
// sums, design §4), and must give the logits the encoder's one-thread 32-token calls gave.
TEST(Determinism, OneTokenCallsOnTwoThreadsMatchTheEncoder) {
  auto input = bytes_of(sample_text(3200, 11));
  const Model& one = cached_model(test::real_model_path(), 1);
  const Model& two = cached_model(test::real_model_path(), 2);
  CompressOptions c;
  c.window_tokens = 1024;
  c.streams = 1;
  c.always_model = true;
  const auto packed = compress(one, input, c);
  ASSERT_GT(inspect(packed).llm_tokens, 600u);
  DecompressOptions d;
  d.streams = 1;
  EXPECT_EQ(decompress(two, packed, d), input);
}

TEST(Context, RoundTripAndMismatch) {
  const Model& m = cached_model(test::tiny_model_path());
  CompressOptions c;
  c.context = "Write two sentences about rivers in winter.";
  auto input = bytes_of(sample_text(1500, 8));
  auto packed = round_trip(m, input, c);
  EXPECT_TRUE(inspect(packed).has_context);
  EXPECT_EQ(error_of([&] { decompress(m, packed, {}); }), ErrorCode::usage);
  DecompressOptions d;
  d.context = "Write three sentences about rivers in winter.";
  EXPECT_EQ(error_of([&] { decompress(m, packed, d); }), ErrorCode::usage);
}

TEST(Context, HelpsTheRealModel) {
  const Model& m = cached_model(test::real_model_path());
  auto answer = bytes_of("The capital of France is Paris. It is known for the Eiffel Tower and the Louvre museum.");
  CompressOptions with;
  with.context = "What is the capital of France? Answer in two sentences.";
  EXPECT_LT(round_trip(m, answer, with).size(), round_trip(m, answer).size());
}

TEST(Errors, WrongModel) {
  auto packed = compress(cached_model(test::tiny_model_path()), bytes_of(sample_text(500, 9)), {});
  try {
    decompress(cached_model(test::other_tiny_model_path()), packed, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::model);
    EXPECT_NE(std::string(e.what()).find("wrong model"), std::string::npos);
  }
}

TEST(Errors, MissingModel) {
  EXPECT_EQ(error_of([] { Model::load({"/nonexistent/model.gguf", 1}); }), ErrorCode::model);
}

// Text that is mostly repeats goes to zstd without the model (which would take minutes on it); other
// text still goes to the model.
TEST(Screen, RepeatsSkipTheModel) {
  const Model& m = cached_model(test::real_model_path());
  const auto run = bytes_of(std::string(200000, 'a'));
  const auto packed = round_trip(m, run);
  EXPECT_EQ(inspect(packed).llm_chunks, 0u);
  EXPECT_LT(packed.size(), 1000u);
  const auto text = bytes_of(sample_text(3000, 7));
  EXPECT_EQ(inspect(round_trip(m, text)).llm_bytes, text.size());
  CompressOptions always;
  always.always_model = true;
  EXPECT_EQ(inspect(compress(m, bytes_of(std::string(3000, 'a')), always)).llm_chunks, 1u);
}

// A crafted file (checksums recomputed) whose zstd chunk claims 4 GB: refused as damaged without
// allocating what it claims.
TEST(Errors, CraftedZstdChunkAllocatesNothingItClaims) {
  const Model& m = cached_model(test::tiny_model_path());
  auto packed = compress(m, random_bytes(2000, 9), {});
  size_t offset = 0;
  Header h = read_header(packed, offset);
  ASSERT_EQ(h.chunks.size(), 1u);
  ASSERT_NE(h.chunks[0].kind, ChunkKind::llm);
  // A frame that declares 4,000,000,000 bytes and delivers one block of 64 KB.
  std::vector<uint8_t> block(1 << 16, 'a'), frame(ZSTD_compressBound(block.size()) + 64);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setPledgedSrcSize(cctx, 4000000000ull);
  ZSTD_inBuffer in{block.data(), block.size(), 0};
  ZSTD_outBuffer out{frame.data(), frame.size(), 0};
  ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_flush);
  ZSTD_freeCCtx(cctx);
  frame.resize(out.pos);
  for (uint32_t claimed : {4000000000u, uint32_t(1) << 24, 100000u}) {
    h.chunks[0] = {ChunkKind::zstd, claimed, 0, uint32_t(frame.size()), 0};
    h.original_size = claimed;
    std::vector<uint8_t> crafted = write_header(h);
    crafted.insert(crafted.end(), frame.begin(), frame.end());
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    EXPECT_EQ(error_of([&] { decompress(m, crafted, {}); }), ErrorCode::corrupt) << claimed;
    getrusage(RUSAGE_SELF, &after);
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 200 * 1024) << "KB of peak memory grew for " << claimed;
  }
}

TEST(Errors, DamagedPayloadsAreCaught) {
  const Model& m = cached_model(test::tiny_model_path());
  auto input = bytes_of(sample_text(3000, 10));
  auto packed = compress(m, input, {});
  const size_t header = packed.size() - 1;  // the last byte is payload
  for (size_t pos : {header, packed.size() / 2, packed.size() - 40}) {
    auto bad = packed;
    bad[pos] ^= 0x10;
    EXPECT_EQ(error_of([&] { decompress(m, bad, {}); }), ErrorCode::corrupt) << "byte " << pos;
  }
  auto cut = std::vector<uint8_t>(packed.begin(), packed.end() - 1);
  EXPECT_EQ(error_of([&] { decompress(m, cut, {}); }), ErrorCode::corrupt);
  auto longer = packed;
  longer.push_back(0);
  EXPECT_EQ(error_of([&] { decompress(m, longer, {}); }), ErrorCode::corrupt);
}

}  // namespace
}  // namespace llmz
