#include <algorithm>
#include <cmath>

#include "coding/container.h"
#include "common/error.h"
#include "llmz/qa.h"
#include "model/compute_profile.h"
#include "model/evaluator.h"
#include "model/loaded_model.h"
#include "qa/protocol.h"
#include "qa/qa_file.h"

namespace llmz::qa {

namespace {

// A conversation longer than the model's training context is refused by both ends.
void check_context(const Settings& s, const detail::LoadedModel& m, ErrorCode code, const std::string& what) {
  if (s.context_tokens > uint32_t(std::max(llama_model_n_ctx_train(m.model()), 0)))
    fail(code, what + "a context of " + std::to_string(s.context_tokens) + " tokens is more than " + m.name() +
                   " was trained for");
}

}  // namespace

Encoded encode(const Model& slm, Oracle& oracle, const Prompts& prompts, const Settings& settings,
               const std::string& problem, const std::string& gold, const Observer& observer) {
  if (problem.empty()) fail(ErrorCode::usage, "the prompt is empty");
  const auto& m = detail::loaded_model(slm);
  check_context(settings, m, ErrorCode::usage, "");
  const detail::KvCache kv = detail::Evaluator::kv_cache_for(m);  // named in the header, used throughout
  detail::Generator generator(m, settings.context_tokens, slm_slots(prompts, settings), kv);
  AnswerCoder coder;
  OracleChannel channel(oracle, problem, gold);
  Encoded out;
  check_prompts_for(prompts, settings.mode);
  out.transcript = run_protocol(generator, prompts, settings, problem, channel, coder, observer);
  out.reference = oracle.reference();
  out.unclear = oracle.unclear_answers();

  QaHeader h;
  h.slm_fingerprint = fingerprint_from_hex(m.fingerprint());
  h.slm_name = m.name();
  h.tokenizer_hash = m.tokenizer_hash();
  h.n_vocab = m.n_vocab();
  h.compute = detail::Evaluator::compute_id(kv);
  h.prompts_version = prompts.version;
  h.prompts_hash = prompts.hash;
  h.problem_hash = text_checksum(problem);
  h.settings = settings;
  // Protocol 5 changed candidates mode only: files of the other modes stay readable by older builds.
  h.protocol = settings.mode == QuestionMode::candidates ? kQaProtocolVersion : kOldestQaProtocolVersion;
  h.oracle_mode = oracle.mode();
  h.oracle_name = oracle.name();
  h.answers = uint32_t(out.transcript.turns.size());
  h.transcript_checksum = transcript_checksum(out.transcript);
  h.answer_size = uint32_t(out.transcript.final_answer.size());
  h.cost_millibits = uint32_t(std::lround(out.transcript.cost_bits * 1000));
  h.payload = coder.finish();
  out.file = write_qa_file(h);
  return out;
}

Transcript decode(const Model& slm, const Prompts& prompts, std::span<const uint8_t> file, const std::string& problem,
                  const Observer& observer) {
  const QaHeader h = read_qa_file(file);
  const auto& m = detail::loaded_model(slm);
  if (to_hex(h.slm_fingerprint) != m.fingerprint() || h.tokenizer_hash != m.tokenizer_hash())
    fail(ErrorCode::model, "this file was made with SLM " + h.slm_name + " (fingerprint " + to_hex(h.slm_fingerprint) +
                               "), not with " + m.name() + " (" + m.fingerprint() + ")");
  if (h.prompts_hash != prompts.hash)
    fail(ErrorCode::usage, "this file was made with other prompt templates (version " + h.prompts_version +
                               "); pass the same --prompts file as the sender");
  if (h.problem_hash != text_checksum(problem))
    fail(ErrorCode::usage, "the prompt differs from the one this file was made for");
  check_context(h.settings, m, ErrorCode::corrupt, "QA file is damaged: ");
  detail::require_compute_profile(h.compute, m);
  const std::optional<detail::KvCache> kv = detail::Evaluator::kv_cache_named(h.compute);
  detail::Generator generator(m, h.settings.context_tokens, slm_slots(prompts, h.settings), kv);
  AnswerCoder coder(h.payload);
  DecodingChannel channel;
  Transcript t = run_protocol(generator, prompts, h.settings, problem, channel, coder, observer);
  if (t.turns.size() != h.answers || transcript_checksum(t) != h.transcript_checksum)
    fail(ErrorCode::model,
         "the rebuilt transcript differs from the sender's: this machine evaluates the SLM differently "
         "(sender: " +
             h.compute + "; here: " + detail::Evaluator::compute_id(kv.value_or(detail::Evaluator::kv_cache_for(m))) +
             ", see llmz --version)");
  return t;
}

}  // namespace llmz::qa
