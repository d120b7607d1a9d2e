#include <algorithm>
#include <optional>

#include "coding/container.h"
#include "common/error.h"
#include "common/stopwatch.h"
#include "common/templates.h"
#include "common/text.h"
#include "default_prompts.h"
#include "llmz/lossy.h"
#include "lossless/coded.h"
#include "model/generator.h"
#include "model/loaded_model.h"

namespace llmz::lossy {

namespace {

const TemplateField kFields[] = {
    {"rewrite", {"prompt", "response"}},
    {"rewrite_hidden_answer", {"prompt", "response"}},
    {"answer", {"prompt"}},
    {"solve", {"prompt"}},
    {"solve_from", {"prompt", "solution"}},
};

RewritePrompts from_set(TemplateSet set) {
  return {set.version,        set.hash,          set.text["rewrite"],   set.text["rewrite_hidden_answer"],
          set.text["answer"], set.text["solve"], set.text["solve_from"]};
}

std::string method_name(const LossyOptions& o) {
  const std::string name = o.method == Method::shortest_of_n ? "shortest-of-N"
                           : o.candidates > 1                ? "best-of-N rewrite"
                                                             : "rewrite";
  return o.check ? "checked " + name : name;
}

}  // namespace

const RewritePrompts& default_rewrite_prompts() {
  static const RewritePrompts p =
      from_set(parse_templates(kDefaultRewritePromptsJson, "built-in rewrite prompts", kFields));
  return p;
}

const RewritePrompts& code_rewrite_prompts() {
  static const RewritePrompts p =
      from_set(parse_templates(kCodeRewritePromptsJson, "built-in rewrite prompts for code", kFields));
  return p;
}

RewritePrompts load_rewrite_prompts(const std::string& path) { return from_set(load_templates(path, kFields)); }

LossyResult compress_lossy(const Model& coder, const Model& writer, std::span<const uint8_t> input,
                           const LossyOptions& options, const RewritePrompts& prompts) {
  const std::string& context = options.coding.context;
  if (options.candidates < 1) fail(ErrorCode::usage, "at least one candidate");
  if (options.method == Method::shortest_of_n && context.empty())
    fail(ErrorCode::usage, "shortest-of-N answers the prompt afresh: give it with --context-file");
  if (options.method == Method::rewrite && input.empty())
    fail(ErrorCode::usage, "nothing to rewrite: the input is empty");
  if (options.check && input.empty())
    fail(ErrorCode::usage, "a checked mode sends the input when no candidate passes: the input is empty");
  if (!is_text(input))
    fail(ErrorCode::usage, "lossy modes rewrite text: the input is not valid UTF-8 (or holds NUL bytes)");

  const Stopwatch call;
  const std::string response(input.begin(), input.end());
  const std::string request =
      options.method == Method::shortest_of_n
          ? fill(prompts.answer, {{"prompt", context}})
          : fill(options.hide_answer ? prompts.rewrite_hidden_answer : prompts.rewrite,
                 {{"prompt", context.empty() ? "(not given)" : context}, {"response", response}});
  const auto& w = detail::loaded_model(writer);
  const auto prompt_tokens = w.chat_tokens(request);
  const uint32_t n_ctx = uint32_t(llama_model_n_ctx_train(w.model()));
  if (prompt_tokens.size() + 16 > n_ctx)
    fail(ErrorCode::usage, "the text is too long to rewrite in one go (" + std::to_string(prompt_tokens.size()) +
                               " tokens; the writer's context is " + std::to_string(n_ctx) + ")");
  // Rewrites start from the greedy one; fresh answers are all samples, as the baseline prescribes.
  // The samples are written side by side.
  const uint32_t first_sample = options.method == Method::rewrite ? 1 : 0;
  std::vector<uint64_t> seeds;
  for (uint32_t i = first_sample; i < options.candidates; i++) seeds.push_back(options.seed + i);
  const uint32_t capacity = std::min<uint32_t>(n_ctx, uint32_t(prompt_tokens.size()) + options.max_tokens + 1);
  detail::Generator generator(w, capacity, detail::Generator::slots_side_by_side(seeds.size(), capacity));
  LossyResult result;
  if (first_sample) {  // a sender writing the greedy rewrite alone pays the set-up above too
    result.candidates.push_back({generator.greedy(prompt_tokens, options.max_tokens)});
    result.candidates.back().seconds = call.seconds();
  }
  const Stopwatch sampling;
  auto samples = generator.sample(prompt_tokens, options.max_tokens, options.temperature, seeds);
  const double sampled = sampling.seconds();
  for (auto& text : samples) result.candidates.push_back({std::move(text), 0, 0, sampled});

  // Every candidate's file carries the same lossy record: its coded size is the file's own.
  LossyInfo info;
  info.method = method_name(options);
  info.original_size = input.size();
  info.original_checksum = input_checksum(input);
  info.rewriter_name = w.name();
  info.rewriter_fingerprint = fingerprint_from_hex(w.fingerprint());
  info.prompts_version = prompts.version;
  info.prompts_hash = prompts.hash;
  info.candidates = options.candidates;
  info.seed = options.seed;
  // A rewrite is worth sending only if it is smaller than the input coded losslessly.
  const bool rewriting = options.method == Method::rewrite;
  std::vector<uint8_t> input_file;
  uint64_t input_payload = 0;
  if (rewriting) {
    const auto input_coded = detail::compress_coded(coder, input, options.coding);
    input_file = input_coded.file();
    input_payload = input_coded.payload_bytes();
  }

  std::vector<std::optional<detail::Coded>> coded(result.candidates.size());
  std::vector<size_t> cheapest_first;
  for (size_t i = 0; i < result.candidates.size(); i++) {
    Candidate& c = result.candidates[i];
    c.text = trim(c.text);
    if (c.text.empty()) continue;
    const Stopwatch coding;
    coded[i] = detail::compress_coded(coder, std::vector<uint8_t>(c.text.begin(), c.text.end()), options.coding);
    coded[i]->header.lossy = info;
    c.payload_bytes = coded[i]->payload_bytes();
    c.coded_bytes = write_header(coded[i]->header).size() + c.payload_bytes;
    c.seconds += coding.seconds();
    c.sendable =
        !rewriting || (options.weigh_payloads ? c.payload_bytes < input_payload : c.coded_bytes < input_file.size());
    cheapest_first.push_back(i);
  }
  if (cheapest_first.empty() && !rewriting) fail(ErrorCode::model, w.name() + " wrote only empty answers");
  std::stable_sort(cheapest_first.begin(), cheapest_first.end(), [&](size_t a, size_t b) {
    return result.candidates[a].coded_bytes < result.candidates[b].coded_bytes;
  });
  if (!cheapest_first.empty()) result.cheapest = cheapest_first.front();
  // Checked cheapest first, until one passes; those not worth sending are not checked.
  const Stopwatch checking;
  result.chosen = result.candidates.size();
  for (size_t i : cheapest_first) {
    Candidate& c = result.candidates[i];
    if (!c.sendable) break;
    if (options.check) c.accepted = options.check(c.text);
    if (!options.check || *c.accepted) {
      result.chosen = i;
      break;
    }
  }
  if (result.chosen == result.candidates.size() && options.check && result.candidates[result.cheapest].sendable) {
    result.input_accepted = options.check(response);
    if (!*result.input_accepted) result.chosen = result.cheapest;
  }
  result.check_seconds = checking.seconds();
  if (result.chosen == result.candidates.size()) {
    result.kept_input = true;
    result.file = rewriting ? std::move(input_file) : compress(coder, input, options.coding);
  } else {
    result.file = coded[result.chosen]->file();
  }
  result.seconds = call.seconds();
  return result;
}

}  // namespace llmz::lossy
