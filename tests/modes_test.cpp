// The modes above the codec through the public API, with the tiny random models: routing among
// adapters, lossy rewriting, the oracle server with its remote oracle, and resuming an evaluation.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "llmz/archive.h"
#include "llmz/eval.h"
#include "llmz/lossy.h"
#include "llmz/qa.h"
#include "llmz/route.h"
#include "llmz/serve.h"
#include "test_models.h"

namespace llmz {
namespace {

namespace fs = std::filesystem;
using test::cached_model;

// A fresh folder under the system's temporary one, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) : path(fs::temp_directory_path() / ("llmz-modes-" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

uint64_t payload_bytes(std::span<const uint8_t> file) { return file.size() - inspect(file).header_size; }

TEST(Routing, BestPicksTheSmallestAndDecodesFromTheFolder) {
  TempDir dir("route");
  fs::copy_file(test::env_or("LLMZ_TINY_LORA", ""), dir.path / "a.gguf");
  fs::copy_file(test::env_or("LLMZ_TINY_LORA_2", ""), dir.path / "b.gguf");
  const ModelOptions base{test::tiny_model_path(), 2};
  const auto candidates = list_adapters(dir.path);
  ASSERT_EQ(candidates.size(), 2u);
  const auto input = test::bytes_of(test::sample_text(600, 3));
  const CompressOptions options{.always_model = true};
  const auto file = compress_routed(base, candidates, Route::best, input, options);
  const FileInfo info = inspect(file);
  EXPECT_EQ(info.route, "best");
  EXPECT_EQ(info.route_candidates, 2u);
  ASSERT_EQ(info.adapters.size(), 1u);
  // The rule: no candidate codes the input into fewer payload bytes than the one the file names.
  for (const auto& c : candidates) {
    ModelOptions with = base;
    with.adapters = {c};
    EXPECT_LE(payload_bytes(file), payload_bytes(compress(Model::load(with), input, options))) << c.path;
  }
  ModelOptions decoder = base;
  decoder.adapters = adapters_for_decoding(file, dir.path, base, "");
  ASSERT_EQ(decoder.adapters.size(), 1u);
  EXPECT_EQ(decompress(Model::load(decoder), file, {}), input);
}

TEST(Routing, PromptRoutingIsRepeatedFromTheContext) {
  TempDir dir("route-prompt");
  fs::copy_file(test::env_or("LLMZ_TINY_LORA", ""), dir.path / "a.gguf");
  fs::copy_file(test::env_or("LLMZ_TINY_LORA_2", ""), dir.path / "b.gguf");
  const ModelOptions base{test::tiny_model_path(), 2};
  const std::string prompt = "Write about a river in winter.";
  const auto input = test::bytes_of(test::sample_text(300, 4));
  const auto file = compress_routed(base, list_adapters(dir.path), Route::prompt, input, {.context = prompt});
  EXPECT_EQ(inspect(file).route, "prompt");
  ModelOptions decoder = base;
  decoder.adapters = adapters_for_decoding(file, dir.path, base, prompt);
  EXPECT_EQ(decompress(Model::load(decoder), file, {.context = prompt}), input);
  // Without a context there is nothing to route from.
  EXPECT_EQ(test::error_of([&] { adapters_for_decoding(file, dir.path, base, ""); }), ErrorCode::usage);
  // And without candidates there is nothing to route among.
  EXPECT_EQ(test::error_of([&] { compress_routed(base, {}, Route::best, input, {}); }), ErrorCode::usage);
}

// Greedy plus two samples of a few tokens each, for the tiny model.
lossy::LossyOptions three_short_rewrites() {
  lossy::LossyOptions options;
  options.candidates = 3;
  options.max_tokens = 24;
  options.coding.context = "Describe the river.";
  return options;
}

TEST(Lossy, TheFileDecodesToTheCheapestCandidate) {
  const Model& tiny = cached_model(test::tiny_model_path());
  const auto input = test::bytes_of(test::sample_text(2000, 5));
  lossy::LossyOptions options = three_short_rewrites();
  const auto r = lossy::compress_lossy(tiny, tiny, input, options);
  ASSERT_EQ(r.candidates.size(), 3u);
  const FileInfo info = inspect(r.file);
  EXPECT_TRUE(info.lossy);
  EXPECT_EQ(info.lossy_method, "best-of-N rewrite");
  EXPECT_EQ(info.lossy_original_size, input.size());
  EXPECT_EQ(info.candidates, 3u);
  const auto& chosen = r.candidates[r.chosen];
  EXPECT_EQ(r.file.size(), chosen.coded_bytes);  // the lossy record included
  for (const auto& c : r.candidates) {
    if (c.text.empty()) continue;  // an empty candidate is not coded
    EXPECT_LE(chosen.coded_bytes, c.coded_bytes);
    // Its payload is the one compress() gives the text alone (the rewrite eval's bits).
    const auto alone = compress(tiny, test::bytes_of(c.text), options.coding);
    EXPECT_EQ(c.payload_bytes, alone.size() - inspect(alone).header_size);
  }
  const auto decoded = decompress(tiny, r.file, {.context = options.coding.context});
  EXPECT_EQ(std::string(decoded.begin(), decoded.end()), chosen.text);

  lossy::LossyOptions fresh = options;
  fresh.method = lossy::Method::shortest_of_n;
  fresh.coding.context.clear();
  EXPECT_EQ(test::error_of([&] { lossy::compress_lossy(tiny, tiny, input, fresh); }), ErrorCode::usage);
  const std::vector<uint8_t> not_text = {'a', 0, 'b'};
  EXPECT_EQ(test::error_of([&] { lossy::compress_lossy(tiny, tiny, not_text, options); }), ErrorCode::usage);
}

TEST(Lossy, ARewriteNoSmallerThanTheInputIsNeverSentNorChecked) {
  const Model& tiny = cached_model(test::tiny_model_path());
  const auto input = test::bytes_of("Hi");  // no rewrite codes smaller than two bytes do
  lossy::LossyOptions options = three_short_rewrites();
  size_t checks = 0;
  options.check = [&](const std::string&) { return ++checks > 0; };
  const auto r = lossy::compress_lossy(tiny, tiny, input, options);
  const auto lossless = compress(tiny, input, options.coding);
  for (const auto& c : r.candidates) {
    if (!c.text.empty()) {
      ASSERT_GE(c.coded_bytes, lossless.size()) << c.text;
    }
  }
  EXPECT_EQ(checks, 0u);
  EXPECT_TRUE(r.kept_input);
  EXPECT_EQ(r.file, lossless);
  options.check = nullptr;
  EXPECT_EQ(lossy::compress_lossy(tiny, tiny, input, options).file, lossless);
}

// Whole files (the user's measure: a rewrite's file adds its lossy record) or payloads alone (the
// evaluation's): on a brief input the two disagree.
TEST(Lossy, ARewriteIsWeighedByWholeFileOrByPayload) {
  const Model& tiny = cached_model(test::tiny_model_path());
  bool disagreed = false;
  for (size_t bytes : {60, 120, 240, 480}) {
    const auto input = test::bytes_of(test::sample_text(bytes, 7));
    const auto lossless = compress(tiny, input, three_short_rewrites().coding);
    const size_t lossless_payload = lossless.size() - inspect(lossless).header_size;
    bool kept[2];
    for (bool payloads : {false, true}) {
      lossy::LossyOptions options = three_short_rewrites();
      options.weigh_payloads = payloads;
      const auto r = lossy::compress_lossy(tiny, tiny, input, options);
      bool any = false;
      for (const auto& c : r.candidates) {
        const bool smaller = payloads ? c.payload_bytes < lossless_payload : c.coded_bytes < lossless.size();
        EXPECT_EQ(c.sendable, !c.text.empty() && smaller) << bytes << " bytes, payloads " << payloads;
        any |= c.sendable;
      }
      EXPECT_EQ(r.kept_input, !any);
      EXPECT_EQ(r.file.size(), r.kept_input ? lossless.size() : r.candidates[r.chosen].coded_bytes);
      kept[payloads] = r.kept_input;
    }
    disagreed |= kept[false] && !kept[true];
  }
  EXPECT_TRUE(disagreed);
}

TEST(Lossy, ACheckKeepsTheCheapestCandidateItAcceptsElseTheInputUnlessTheInputFailsToo) {
  const Model& tiny = cached_model(test::tiny_model_path());
  const auto input = test::bytes_of(test::sample_text(2000, 5));
  lossy::LossyOptions options = three_short_rewrites();
  const auto plain = lossy::compress_lossy(tiny, tiny, input, options);
  // Accept only the dearest candidate: the check runs cheapest first and stops there.
  size_t dearest = 0;
  for (size_t i = 0; i < plain.candidates.size(); i++)
    if (plain.candidates[i].coded_bytes > plain.candidates[dearest].coded_bytes) dearest = i;
  std::vector<std::string> asked;
  options.check = [&](const std::string& text) {
    asked.push_back(text);
    return text == plain.candidates[dearest].text;
  };
  const auto checked = lossy::compress_lossy(tiny, tiny, input, options);
  ASSERT_FALSE(checked.kept_input);
  EXPECT_EQ(checked.chosen, dearest);
  EXPECT_EQ(inspect(checked.file).lossy_method, "checked best-of-N rewrite");
  auto coded_size = [&](const std::string& text) {
    for (const auto& c : plain.candidates)
      if (c.text == text) return c.coded_bytes;
    ADD_FAILURE() << "checked a text that is no candidate: " << text;
    return size_t(0);
  };
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.back(), plain.candidates[dearest].text);
  for (size_t i = 1; i < asked.size(); i++) EXPECT_LE(coded_size(asked[i - 1]), coded_size(asked[i]));
  for (const auto& c : checked.candidates) {  // (sizes of one call: the lossy record names the method)
    if (c.coded_bytes < checked.candidates[dearest].coded_bytes) {
      EXPECT_EQ(c.accepted, std::optional<bool>(false));
    }
    if (c.coded_bytes > checked.candidates[dearest].coded_bytes) {
      EXPECT_FALSE(c.accepted.has_value());
    }
  }
  auto decoded = decompress(tiny, checked.file, {.context = options.coding.context});
  EXPECT_EQ(std::string(decoded.begin(), decoded.end()), plain.candidates[dearest].text);
  EXPECT_GE(checked.seconds, checked.check_seconds);

  // A check that accepts the input but no candidate sends the input itself, losslessly.
  const std::string input_text(input.begin(), input.end());
  options.check = [&](const std::string& text) { return text == input_text; };
  const auto none = lossy::compress_lossy(tiny, tiny, input, options);
  EXPECT_TRUE(none.kept_input);
  EXPECT_EQ(none.input_accepted, std::optional<bool>(true));
  EXPECT_EQ(none.chosen, none.candidates.size());
  EXPECT_FALSE(inspect(none.file).lossy);
  EXPECT_EQ(decompress(tiny, none.file, {.context = options.coding.context}), input);
  for (const auto& c : none.candidates) EXPECT_EQ(c.accepted, std::optional<bool>(false));

  // A check the input fails too cannot tell texts apart: the cheapest candidate is sent.
  options.check = [](const std::string&) { return false; };
  const auto blind = lossy::compress_lossy(tiny, tiny, input, options);
  EXPECT_FALSE(blind.kept_input);
  EXPECT_EQ(blind.input_accepted, std::optional<bool>(false));
  EXPECT_EQ(blind.chosen, blind.cheapest);
  EXPECT_EQ(blind.candidates[blind.chosen].text, plain.candidates[plain.cheapest].text);
  EXPECT_EQ(inspect(blind.file).lossy_method, "checked best-of-N rewrite");
  auto blind_decoded = decompress(tiny, blind.file, {.context = options.coding.context});
  EXPECT_EQ(std::string(blind_decoded.begin(), blind_decoded.end()), plain.candidates[plain.cheapest].text);
  // ... and the check was not asked about the input where a candidate passed.
  EXPECT_FALSE(checked.input_accepted.has_value());

  // The answer check needs a result to check against.
  EXPECT_EQ(test::error_of([&] {
              lossy::answer_check(tiny, "Q", test::bytes_of("no result stated"), lossy::default_rewrite_prompts(), 8);
            }),
            ErrorCode::usage);
}

// The answer check with a model that follows instructions (Qwen 0.5B). The question holds no numbers,
// so the solver must take them from the text: a faithful rewrite keeps the answer although it is
// masked ("3 * 4 - 2 = ___"), one with another step does not.
TEST(Lossy, TheAnswerCheckWorksTheAnswerOutAgain) {
  const Model& qwen = cached_model(test::qwen_small_model_path(), 1);
  const std::string problem = "Tom has some bags of apples and eats some. How many apples are left?";
  const auto original =
      test::bytes_of("He has 3 bags of 4 apples: 3 * 4 = 12. He eats 2, so 12 - 2 = 10 are left.\n#### 10");
  const auto check = lossy::answer_check(qwen, problem, original, lossy::default_rewrite_prompts(), 96);
  EXPECT_TRUE(check("3 bags of 4 apples, 2 eaten: 3 * 4 - 2 = 10."));
  EXPECT_FALSE(check("3 bags of 4 apples, 3 eaten: 3 * 4 - 3 = 9."));
}

TEST(Server, ARemoteOracleAnswersLikeTheLocalOne) {
  const Model& llm = cached_model(test::other_tiny_model_path(), 1);
  qa::ServerOptions options;
  options.port = 0;
  options.api_key = "secret";
  options.max_reference_tokens = 12;
  qa::OracleServer server(llm, qa::default_prompts(), options);
  const int port = server.bind();
  std::thread serving([&] { server.serve(); });
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  const qa::Task task{"What is 2 + 2?", "It is 5.", "4"};
  const std::vector<std::string> questions = {"Is the answer 4?", "Is the attempt right?", "Is 5 too big?"};

  auto remote = qa::make_remote_oracle({url, "secret", 30, 0}, qa::OracleMode::gold_reference);
  auto local = qa::make_model_oracle(llm, qa::default_prompts(), {qa::OracleMode::gold_reference, 12});
  EXPECT_EQ(remote->mode(), qa::OracleMode::gold_reference);
  remote->begin(task);
  local->begin(task);
  for (const auto& q : questions) EXPECT_EQ(remote->answer({q, 0}), local->answer({q, 0})) << q;

  // A client refused (4xx) has the wrong settings: a usage error, not a network one.
  auto intruder = qa::make_remote_oracle({url, "wrong key", 30, 0}, qa::OracleMode::gold_reference);
  EXPECT_EQ(test::error_of([&] { intruder->begin(task); }), ErrorCode::usage);
  server.stop();
  serving.join();
}

// An archive of three records, for the damage tests.
std::vector<uint8_t> small_archive(const Model& model, const fs::path& dir) {
  std::ofstream(dir / "r.jsonl") << R"({"prompt": "Say hi.", "response": "Hi there."})"
                                 << "\n"
                                 << R"({"id": 7, "prompt": "Count.", "response": "One, two, three."})"
                                 << "\n"
                                 << R"({"prompt": "Stop.", "response": "Done."})"
                                 << "\n";
  archive::pack(model, dir / "r.jsonl", dir / "a.llmza", {});
  std::ifstream in(dir / "a.llmza", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Opens the archive and reads every entry: the outcome, or the error's code.
ErrorCode read_all(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return test::error_of([&] {
    const archive::Reader r(path);
    for (uint64_t i = 0; i < r.size(); i++) r.entry(i);
  });
}

TEST(Archive, EveryFlippedByteAndEveryTruncationIsAnError) {
  TempDir dir("archive-damage");
  const auto good = small_archive(cached_model(test::tiny_model_path()), dir.path);
  const fs::path path = dir.path / "x.llmza";
  ASSERT_EQ(read_all(path, good), ErrorCode::ok);
  for (size_t i = 0; i < good.size(); i++) {
    auto bad = good;
    bad[i] ^= 0x21;
    const ErrorCode code = read_all(path, bad);
    EXPECT_TRUE(code == ErrorCode::corrupt || code == ErrorCode::unsupported) << "byte " << i << ": " << int(code);
  }
  for (size_t n = 0; n < good.size(); n++) {
    const std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    EXPECT_EQ(read_all(path, cut), ErrorCode::corrupt) << "truncated at " << n;
  }
}

TEST(Archive, RecordsDecodeAloneAndDamageNamesTheRecord) {
  TempDir dir("archive-records");
  const Model& tiny = cached_model(test::tiny_model_path());
  auto bytes = small_archive(tiny, dir.path);
  const archive::Reader r(dir.path / "a.llmza");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.record(tiny, 1), R"({"id":7,"prompt":"Count.","response":"One, two, three."})");
  // Damage inside the second entry: the first and third still decode, the second is named.
  const auto middle = r.entry(1);
  auto at = std::search(bytes.begin(), bytes.end(), middle.begin(), middle.end());
  ASSERT_NE(at, bytes.end());
  at[long(middle.size() / 2)] ^= 0x10;
  std::ofstream(dir.path / "b.llmza", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  const archive::Reader damaged(dir.path / "b.llmza");
  EXPECT_EQ(damaged.record(tiny, 0), r.record(tiny, 0));
  EXPECT_EQ(damaged.record(tiny, 2), r.record(tiny, 2));
  try {
    damaged.record(tiny, 1);
    FAIL() << "a damaged entry decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::corrupt);
    EXPECT_NE(std::string(e.what()).find("record 2"), std::string::npos) << e.what();
  }
}

// Three GSM8K-style problems in a benchmarks folder of their own.
void write_benchmark(const fs::path& dir) {
  fs::create_directories(dir / "gsm8k");
  std::ofstream out(dir / "gsm8k" / "test.jsonl");
  for (int a : {2, 3, 4})
    out << R"({"question": "What is )" << a << R"( plus 1?", "answer": "It is )" << a + 1 << " #### " << a + 1
        << "\"}\n";
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Eval, AResumedRunKeepsWhatWasDoneAndDropsAHalfWrittenRow) {
  TempDir dir("eval");
  write_benchmark(dir.path);
  const Model& slm = cached_model(test::tiny_model_path(), 1);
  const Model& llm = cached_model(test::other_tiny_model_path(), 1);
  eval::QaEvalOptions o;
  o.data_dir = dir.path;
  o.limit = 2;
  o.baselines_only = true;
  o.max_tokens = 8;
  o.results = dir.path / "qa.jsonl";
  eval::run_qa_eval({slm, llm}, o, [](size_t, size_t) {});
  const auto first = lines_of(o.results);
  ASSERT_EQ(first.size(), 2u);

  // Without --resume an existing file is refused, not overwritten.
  EXPECT_EQ(test::error_of([&] { eval::run_qa_eval({slm, llm}, o, [](size_t, size_t) {}); }), ErrorCode::io);
  EXPECT_EQ(lines_of(o.results), first);

  std::ofstream(o.results, std::ios::app) << R"({"id": "gsm8k-2", "half)";  // a run killed mid-write
  o.limit = 3;
  o.resume = true;
  size_t solved = 0;
  eval::run_qa_eval({slm, llm}, o, [&](size_t done, size_t) { solved = done; });
  const auto all = lines_of(o.results);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], first[0]);
  EXPECT_EQ(all[1], first[1]);
  EXPECT_NE(all[2].find("\"gsm8k-2\""), std::string::npos) << all[2];
  EXPECT_EQ(eval::summarize_qa_eval(o.results)["problems"], 3) << eval::summarize_qa_eval(o.results).dump();
}

}  // namespace
}  // namespace llmz
