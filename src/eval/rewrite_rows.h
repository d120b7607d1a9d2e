// The layout of `llmz eval rewrite` rows, shared by the run, its summary and `eval recode`.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llmz/eval.h"
#include "llmz/llmz.h"

namespace llmz::eval {

// The two originals of a problem: the dataset's solution and the writer's own.
inline constexpr const char* kRewriteSources[] = {"reference", "llm"};
// What is sent for each. shortest_of_n (fresh answers) does not depend on the source: a row holds it
// once, at /shortest_of_n; the others at /SOURCE/METHOD. checked_rewrite is the cheapest candidate
// the solver still gets the original's answer from (on programs: a program that passes the test the
// problem shows), else the original; not on a benchmark that shows no test (HumanEval).
inline constexpr const char* kRewriteMethods[] = {"lossless", "shortest_of_n", "rewrite", "best_of_n_rewrite",
                                                  "checked_rewrite"};

// Where a method's entry for a source is in a row.
inline nlohmann::json::json_pointer rewrite_entry(const std::string& source, const std::string& method) {
  return nlohmann::json::json_pointer(method == "shortest_of_n" ? "/shortest_of_n" : "/" + source + "/" + method);
}

// How every text of a problem is coded: with the problem as context, in one stream.
inline CompressOptions rewrite_coding(const Problem& p) {
  CompressOptions coding;
  coding.context = p.question;
  coding.streams = 1;
  return coding;
}

// Bits of the coded text itself: the file minus its header (a fixed cost per file, reported apart).
inline uint64_t payload_bits(const std::vector<uint8_t>& file) { return 8 * (file.size() - inspect(file).header_size); }

// Bits of text coded by coder as every text of a problem is (nothing sent for an empty one).
inline uint64_t coded_bits(const Model& coder, const std::string& text, const CompressOptions& coding) {
  return text.empty() ? 0 : payload_bits(compress(coder, std::vector<uint8_t>(text.begin(), text.end()), coding));
}

}  // namespace llmz::eval
