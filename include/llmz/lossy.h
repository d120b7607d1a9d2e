// Lossy compression: a model rewrites a response as briefly as it can (or answers its prompt afresh,
// the shortest-of-N baseline), and the text with the fewest coded bits is coded losslessly. The file
// decodes to that text, not to the input, and its header says so (docs/LOSSY.md).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llmz/llmz.h"

namespace llmz::lossy {

enum class Method {
  rewrite,        // rewrite the input briefly (candidate 0 greedy, the others sampled)
  shortest_of_n,  // answer the prompt afresh N times (the baseline: no input needed beyond the prompt)
};

struct RewritePrompts {
  std::string version;
  uint64_t hash = 0;
  std::string rewrite;                // {prompt} {response}
  std::string rewrite_hidden_answer;  // {prompt} {response}: also asks not to state the final answer
  std::string answer;                 // {prompt}: a fresh answer (shortest-of-N)
  std::string solve;                  // {prompt}: a worked solution ending "Final answer: ..." (evaluation)
  std::string solve_from;             // {prompt} {solution}: finish a solution whose answer is hidden
};
const RewritePrompts& default_rewrite_prompts();
// For programming tasks (rewrite-code-v1): the briefest text from which a programmer writes the program.
const RewritePrompts& code_rewrite_prompts();
RewritePrompts load_rewrite_prompts(const std::string& path);

// The sender's test of a candidate text (true: it may be sent). Only the sender runs it.
using CandidateCheck = std::function<bool(const std::string& text)>;

struct LossyOptions {
  Method method = Method::rewrite;
  uint32_t candidates = 1;  // rewrite: 1 = the greedy rewrite only; N = greedy + N - 1 samples
  uint64_t seed = 1;
  float temperature = 0.8f;
  uint32_t max_tokens = 512;  // longest rewrite or answer
  bool hide_answer = false;   // ask the rewrite not to state the final answer (for evaluation)
  CompressOptions coding;     // how the chosen text is coded; coding.context is the prompt
  // When set, the kept candidate is the cheapest one the check accepts (they are checked cheapest
  // first, until one passes). A rewrite is kept only if its file is smaller than the input's own
  // lossless file: when none is (or the check accepts none that is), the input itself is coded,
  // unless the input fails the check too: a check nothing passes cannot tell texts apart, and the
  // cheapest candidate is kept (the receiver loses nothing the input would have given it).
  CandidateCheck check;
  // Weigh a rewrite against the input by coded payload alone, leaving out the header (whose lossy
  // record a rewrite's file adds): the evaluation's measure, the bits of the text itself.
  bool weigh_payloads = false;
};

struct Candidate {
  std::string text;
  size_t coded_bytes = 0;        // size of the whole .llmz file that codes it
  size_t payload_bytes = 0;      // of which its coded payload (without the header)
  double seconds = 0;            // writing it and coding it: the greedy one from the call's start (set-up included),
                                 // samples (written side by side) from the end of the greedy one, sharing one time
  std::optional<bool> accepted;  // the check's verdict, where it ran
  bool sendable = false;         // coded, and (a rewrite) smaller than the input's lossless coding
};

struct LossyResult {
  std::vector<uint8_t> file;
  std::vector<Candidate> candidates;
  size_t chosen = 0;                   // the candidate the file codes; candidates.size() when kept_input
  size_t cheapest = 0;                 // the candidate with the fewest coded bytes: sent without a check if sendable
  bool kept_input = false;             // no sendable candidate passed the check, the input did (or, unchecked,
                                       // none was sendable): the file codes the input, losslessly
  std::optional<bool> input_accepted;  // the check's verdict on the input, where it ran (no candidate passed)
  double seconds = 0;                  // the whole call: every candidate written and coded, the checks included
  double check_seconds = 0;            // of which the checks
};

// coder codes the chosen text; writer writes the candidates (may be the same model).
LossyResult compress_lossy(const Model& coder, const Model& writer, std::span<const uint8_t> input,
                           const LossyOptions& options, const RewritePrompts& prompts = default_rewrite_prompts());

// A check that a candidate still carries the input's result: solver, given the prompt and the
// candidate with that result hidden (its answer statement removed, every copy of the input's final
// answer masked: qa hide_answer and mask_answer), works out the input's final answer again. This is
// the quality `llmz eval rewrite` measures (docs/LOSSY.md). Fails when the input states no final answer.
// The check uses solver: keep the model loaded while the check is in use.
CandidateCheck answer_check(const Model& solver, const std::string& prompt, std::span<const uint8_t> input,
                            const RewritePrompts& prompts, uint32_t max_tokens);

}  // namespace llmz::lossy
