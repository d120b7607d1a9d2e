// Container header: round trip, and every kind of damage is reported as an llmz::Error.
#include "coding/container.h"

#include <gtest/gtest.h>

#include "coding/frame.h"
#include "llmz/llmz.h"

namespace llmz {
namespace {

Header sample_header() {
  Header h;
  h.model_fingerprint = fingerprint_from_hex("00112233445566778899aabbccddeeff");
  h.model_name = "Test Model";
  h.tokenizer_hash = 0x1234567890abcdefull;
  h.n_vocab = 49152;
  h.cdf_bits = 30;
  h.window_tokens = 2048;
  h.window_overlap = 512;
  h.streams = 16;
  h.prefix_hash = 77;
  h.prefix_tokens = 5;
  h.compute = "llama.cpp test";
  h.chunks = {
      {ChunkKind::llm, 1000, 250, 120, 0xdeadbeef}, {ChunkKind::zstd, 300, 0, 40, 1}, {ChunkKind::stored, 7, 0, 7, 2}};
  h.original_size = 1307;
  h.input_checksum = 99;
  h.mixing = mix_all;
  return h;
}

TEST(Container, RoundTrip) {
  auto bytes = write_header(sample_header());
  size_t offset = 0;
  Header h = read_header(bytes, offset);
  EXPECT_EQ(offset, bytes.size());
  EXPECT_EQ(to_hex(h.model_fingerprint), "00112233445566778899aabbccddeeff");
  EXPECT_EQ(h.model_name, "Test Model");
  EXPECT_EQ(h.tokenizer_hash, 0x1234567890abcdefull);
  EXPECT_EQ(h.n_vocab, 49152u);
  EXPECT_EQ(h.prefix_tokens, 5u);
  EXPECT_EQ(h.compute, "llama.cpp test");
  ASSERT_EQ(h.chunks.size(), 3u);
  EXPECT_EQ(h.chunks[0].tokens, 250u);
  EXPECT_EQ(h.chunks[1].payload_size, 40u);
  EXPECT_EQ(h.chunks[2].payload_size, 7u);
  EXPECT_EQ(h.chunks[2].checksum, 2u);
}

TEST(Container, WritesTheFrameAndReadsAdaptersBack) {
  Header h = sample_header();
  h.adapters = {{{1, 2, 3}, "math", 0.5f}, {{9}, "code", 1.25f}};
  const auto bytes = write_header(h);
  EXPECT_EQ(bytes[4], kFormatVersion);
  size_t offset = 0;
  const Header back = read_header(bytes, offset);
  EXPECT_EQ(back.version, kFormatVersion);
  ASSERT_EQ(back.adapters.size(), 2u);
  EXPECT_EQ(back.adapters[0].fingerprint, h.adapters[0].fingerprint);
  EXPECT_EQ(back.adapters[0].name, "math");
  EXPECT_EQ(back.adapters[0].scale, 0.5f);
  EXPECT_EQ(back.adapters[1].scale, 1.25f);
  EXPECT_EQ(back.chunks.size(), h.chunks.size());
  EXPECT_FALSE(back.route.has_value());
  EXPECT_FALSE(back.lossy.has_value());
}

TEST(Container, TheWindowModeIsRecorded) {
  Header h = sample_header();
  size_t offset = 0;
  EXPECT_FALSE(read_header(write_header(h), offset).sliding_window);
  h.sliding_window = true;
  const auto bytes = write_header(h);
  EXPECT_TRUE(read_header(bytes, offset).sliding_window);
  // The window record is required: a reader that does not know it must refuse the file.
  const Frame f = read_frame(bytes, kMagic, std::array{RecordType::lossless, RecordType::window}, offset);
  ASSERT_NE(f.find(RecordType::window), nullptr);
  EXPECT_TRUE(f.find(RecordType::window)->required);
}

TEST(Container, MixingCostsNoRecordByDefault) {
  Header h = sample_header();
  size_t offset = 0;
  const auto all = write_header(h);
  EXPECT_EQ(read_header(all, offset).mixing, mix_all);
  EXPECT_EQ(read_frame(all, kMagic, std::array{RecordType::lossless}, offset).find(RecordType::mixing), nullptr);
  for (uint8_t parts : {uint8_t(mix_none), uint8_t(mix_match), uint8_t(mix_ngram | mix_calibrate)}) {
    h.mixing = parts;
    const auto bytes = write_header(h);
    EXPECT_EQ(bytes.size(), all.size() + 5);  // type, flags, length, mixer version, parts
    EXPECT_EQ(read_header(bytes, offset).mixing, parts);
  }
}

TEST(Container, AVersion5FrameIsNotMixed) {
  // Version 5 files predate mixing: the same frame under version 5 decodes without it.
  auto bytes = write_header(sample_header());
  bytes[4] = 5;
  size_t offset = 0;
  try {
    read_header(bytes, offset);
    FAIL() << "the version byte is under the checksum";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt);
  }
  Frame f = read_frame(write_header(sample_header()), kMagic, std::array{RecordType::lossless}, offset);
  f.version = 5;
  EXPECT_EQ(read_header(write_frame(f), offset).mixing, mix_none);
}

TEST(Container, AnUnknownMixerIsRefused) {
  Header h = sample_header();
  h.mixing = mix_match;
  size_t offset = 0;
  Frame f = read_frame(write_header(h), kMagic, std::array{RecordType::lossless, RecordType::mixing}, offset);
  for (auto& r : f.records)
    if (r.type == RecordType::mixing) r.body[0] = kMixerVersion + 1;
  try {
    read_header(write_frame(f), offset);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_NE(std::string(e.what()).find("mixer version"), std::string::npos) << e.what();
  }
}

TEST(Container, RoutingAndLossyRecordsRoundTrip) {
  Header h = sample_header();
  h.adapters = {{{1, 2, 3}, "math", 1.0f}};
  for (RouteMode mode : {RouteMode::prompt_alone, RouteMode::best, RouteMode::prompt_profile}) {
    h.route = RouteRef{mode, 4, {7, 7, 7}};
    h.lossy = LossyInfo{"rewrite", 500, 42, "writer", {5}, "rewrite-v1", 9, 3, 11};
    const auto bytes = write_header(h);
    size_t offset = 0;
    const Header back = read_header(bytes, offset);
    ASSERT_TRUE(back.route.has_value());
    EXPECT_EQ(back.route->mode, mode);
    EXPECT_EQ(back.route->candidates, 4u);
    EXPECT_EQ(back.route->candidate_set, h.route->candidate_set);
    ASSERT_TRUE(back.lossy.has_value());
    EXPECT_EQ(back.lossy->original_size, 500u);
    EXPECT_EQ(back.lossy->rewriter_name, "writer");
    EXPECT_EQ(back.lossy->seed, 11u);
    EXPECT_EQ(offset, bytes.size());
  }
  h.adapters.push_back({{9}, "code", 1.0f});
  EXPECT_THROW(write_header(h), Error);  // a route chooses one adapter
}

// A frame as a newer writer might make it: the sample's records plus one of an unknown type.
std::vector<uint8_t> with_extra_record(bool required) {
  Header h = sample_header();
  size_t offset = 0;
  Frame f = read_frame(write_header(h), kMagic, std::array{RecordType::lossless}, offset);
  f.records.push_back({RecordType(77), required, {1, 2, 3}});
  return write_frame(f);
}

TEST(Container, UnknownOptionalRecordsAreSkippedAndRequiredOnesRefused) {
  size_t offset = 0;
  const auto optional = with_extra_record(false);
  EXPECT_EQ(read_header(optional, offset).chunks.size(), 3u);
  EXPECT_EQ(offset, optional.size());
  try {
    read_header(with_extra_record(true), offset);
    FAIL() << "an unknown required record was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_NE(std::string(e.what()).find("record type 77"), std::string::npos) << e.what();
  }
}

TEST(Container, ARecordTwiceOrMissingIsDamage) {
  size_t offset = 0;
  Frame f = read_frame(write_header(sample_header()), kMagic, std::array{RecordType::lossless}, offset);
  Frame twice = f;
  twice.records.push_back(f.records.front());
  EXPECT_THROW(read_header(write_frame(twice), offset), Error);
  Frame none = f;
  none.records.clear();
  EXPECT_THROW(read_header(write_frame(none), offset), Error);
  Frame longer = f;
  longer.records.front().body.push_back(0);  // a known record with bytes left over
  EXPECT_THROW(read_header(write_frame(longer), offset), Error);
}

TEST(Container, EveryFlippedByteIsDetected) {
  const auto good = write_header(sample_header());
  for (size_t i = 0; i < good.size(); i++) {
    for (uint8_t mask : {0x01, 0x80}) {
      auto bad = good;
      bad[i] ^= mask;
      size_t offset = 0;
      EXPECT_THROW(read_header(bad, offset), Error) << "byte " << i;
    }
  }
}

TEST(Container, EveryTruncationIsDetected) {
  const auto good = write_header(sample_header());
  for (size_t n = 0; n < good.size(); n++) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    size_t offset = 0;
    try {
      read_header(cut, offset);
      FAIL() << "truncated at " << n << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::corrupt);
    }
  }
}

TEST(Container, NewerVersionIsUnsupported) {
  auto bytes = write_header(sample_header());
  bytes[4] = kFormatVersion + 1;
  size_t offset = 0;
  try {
    read_header(bytes, offset);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_NE(std::string(e.what()).find("version"), std::string::npos);
  }
}

TEST(Container, WrongMagic) {
  std::vector<uint8_t> gz = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0};
  size_t offset = 0;
  try {
    read_header(gz, offset);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt);
    EXPECT_NE(std::string(e.what()).find("not an llmz file"), std::string::npos);
  }
}

}  // namespace
}  // namespace llmz
