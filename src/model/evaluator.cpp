#include "model/evaluator.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "common/error.h"
#include "common/stopwatch.h"
#include "model/compute_profile.h"

namespace llmz::detail {

namespace {

ggml_type ggml_type_of(KvCache kv) { return kv == KvCache::q8_0 ? GGML_TYPE_Q8_0 : GGML_TYPE_F16; }
const char* name_of(KvCache kv) { return kv == KvCache::q8_0 ? "q8_0" : "f16"; }

}  // namespace

Evaluator::Evaluator(const LoadedModel& model, uint32_t slots, uint32_t slot_capacity, std::optional<KvCache> kv_given)
    : model_(model),
      slots_(slots),
      n_vocab_(model.n_vocab()),
      batch_choice_(model.threads(), model.fixed_threads()),
      token_choice_(model.threads(), model.fixed_threads()) {
  // llama.cpp rounds each sequence's cache up to 256 cells; keep the request a multiple of that.
  const uint32_t per_slot = (slot_capacity + 255) / 256 * 256;
  max_batch_ = std::max<uint32_t>(kMicroBatch, std::min<uint32_t>(512, slots * 8));

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = per_slot * slots;
  cp.n_batch = max_batch_;
  cp.n_ubatch = kMicroBatch;
  cp.n_seq_max = slots;
  const KvCache kv = kv_given.value_or(kv_cache_for(model));
  // One-token calls on an F16 cache stay on one thread: there llama.cpp's flash attention splits the
  // keys of a long context over the threads and the sums change with their number (design §4). On a
  // Q8_0 cache it splits by attention head, each head summed whole by one thread, like every batch.
  if (kv != KvCache::q8_0) token_choice_ = ThreadChoice(1, true);
  one_threads_ = token_choice_.max_threads();
  batch_threads_ = batch_choice_.max_threads();
  cp.n_threads = one_threads_;
  cp.n_threads_batch = batch_threads_;
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
  cp.kv_unified = false;
  cp.type_k = ggml_type_of(kv);
  cp.type_v = ggml_type_of(kv);
  cp.offload_kqv = false;
  cp.op_offload = false;
  cp.no_perf = true;
  ctx_ = llama_init_from_model(model.model(), cp);
  if (!ctx_) fail(ErrorCode::model, model.path() + ": cannot create an evaluation context (out of memory?)");
  model.apply_adapters(ctx_);
  batch_ = llama_batch_init(int32_t(max_batch_), 0, 1);
}

Evaluator::~Evaluator() {
  llama_batch_free(batch_);
  if (ctx_) llama_free(ctx_);
}

void Evaluator::add(uint32_t slot, llama_token token, int32_t pos, bool want_logits) {
  if (batch_.n_tokens >= int32_t(max_batch_))
    fail(ErrorCode::usage, "more than " + std::to_string(max_batch_) + " tokens queued for one evaluation");
  int32_t i = batch_.n_tokens++;
  batch_.token[i] = token;
  batch_.pos[i] = pos;
  batch_.n_seq_id[i] = 1;
  batch_.seq_id[i][0] = llama_seq_id(slot);
  batch_.logits[i] = want_logits;
  if (want_logits) output_rows_.push_back(i);
}

void Evaluator::run() {
  const uint32_t tokens = uint32_t(batch_.n_tokens);
  const bool batched = tokens > 1;  // llama.cpp runs one-token calls on n_threads, others on n_threads_batch
  ThreadChoice& choice = batched ? batch_choice_ : token_choice_;
  int& threads = batched ? batch_threads_ : one_threads_;
  if (const int t = choice.next(); t != threads) {
    threads = t;
    llama_set_n_threads(ctx_, one_threads_, batch_threads_);
  }
  last_threads_ = threads;
  const Stopwatch watch;
  int32_t rc = llama_decode(ctx_, batch_);
  choice.record(watch.seconds(), tokens);
  batch_.n_tokens = 0;
  if (rc != 0) fail(ErrorCode::model, "llama.cpp evaluation failed (code " + std::to_string(rc) + ")");
  // Fetched here, serially: llama_get_logits_ith() may reorder its buffers on first use.
  rows_.clear();
  for (int32_t row : output_rows_) rows_.push_back(llama_get_logits_ith(ctx_, row));
  output_rows_.clear();
}

void Evaluator::clear_from(uint32_t slot, int32_t pos) {
  if (!llama_memory_seq_rm(llama_get_memory(ctx_), llama_seq_id(slot), pos, -1))
    fail(ErrorCode::model, model_.path() + ": the model's memory cannot forget part of a sequence");
}

void Evaluator::copy(uint32_t from, uint32_t to) {
  llama_memory_t mem = llama_get_memory(ctx_);
  llama_memory_seq_rm(mem, llama_seq_id(to), -1, -1);
  llama_memory_seq_cp(mem, llama_seq_id(from), llama_seq_id(to), -1, -1);
}

bool Evaluator::rewinds() const {
  return !llama_model_is_recurrent(model_.model()) && !llama_model_is_hybrid(model_.model());
}

void Evaluator::drop(uint32_t slot, int32_t from, int32_t count) {
  llama_memory_t mem = llama_get_memory(ctx_);
  llama_memory_seq_rm(mem, llama_seq_id(slot), from, from + count);
  llama_memory_seq_add(mem, llama_seq_id(slot), from + count, -1, -count);
}

std::string Evaluator::compute_signature(KvCache kv) {
  // llama_print_system_info() reads like "CPU : SSE3 = 1 | AVX2 = 1 | ... |"; keep the names set to 1.
  // The native profile's signature is the one files had before profiles existed: they still match.
  const ActiveCompute active = active_compute();
  std::ostringstream sig;
  sig << "llama.cpp " << LLMZ_LLAMA_RELEASE;
  if (active.profile != Compute::native) sig << ' ' << compute_profile_name(active.profile);
  sig << "; cpu";
  std::istringstream info(active.system_info);
  std::string item;
  while (std::getline(info, item, '|')) {
    auto eq = item.find(" = ");
    if (eq == std::string::npos || item.substr(eq + 3, 1) != "1") continue;
    auto name_start = item.find_last_of(" :", eq - 1);
    sig << ' ' << item.substr(name_start + 1, eq - name_start - 1);
  }
  sig << "; fa on; kv " << name_of(kv) << " per-seq; ubatch " << kMicroBatch << "; no repack";
  return sig.str();
}

std::optional<KvCache> Evaluator::kv_cache_named(const std::string& file_compute) {
  const std::string id = compute_id(file_compute);
  for (KvCache kv : {KvCache::q8_0, KvCache::f16})
    if (compute_id(kv) == id) return kv;
  return std::nullopt;
}

KvCache Evaluator::kv_cache_for(const LoadedModel& model) {
  const llama_model* m = model.model();
  char arch[64], value[32];
  if (llama_model_meta_val_str(m, "general.architecture", arch, sizeof arch) <= 0) return KvCache::f16;
  const int32_t n_head = std::max(1, llama_model_n_head(m));
  for (const char* key : {".attention.key_length", ".attention.value_length"}) {
    int64_t size = llama_model_n_embd(m) / n_head;  // the usual head size when the file does not say
    if (llama_model_meta_val_str(m, (std::string(arch) + key).c_str(), value, sizeof value) > 0)
      size = std::atoll(value);
    if (size <= 0 || size % 32 != 0) return KvCache::f16;
  }
  return KvCache::q8_0;
}

std::string Evaluator::compute_id(const std::string& signature) {
  if (signature.find(" #") != std::string::npos) return signature;
  char hash[20];
  snprintf(hash, sizeof hash, " #%016llx", (unsigned long long)XXH3_64bits(signature.data(), signature.size()));
  return signature.substr(0, signature.find(';')) + hash;
}

}  // namespace llmz::detail
