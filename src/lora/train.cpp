#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <regex>

#include "common/error.h"
#include "common/file.h"
#include "common/stopwatch.h"
#include "ggml-opt.h"
#include "gguf.h"
#include "llama-adapter.h"  // internal: the adapter's tensors (see CMakeLists.txt)
#include "llama-context.h"  // internal: the context's scheduler
#include "llama.h"
#include "llmz/lora.h"
#include "lora/adapter_file.h"
#include "model/loaded_model.h"

namespace llmz::lora {

namespace {

namespace fs = std::filesystem;

// Training runs on an F32 copy: its values are exactly the quantized ones, but backward passes through
// quantized matrices dequantize every row again for each use (most of the time in a profile).
void f32_copy(const std::string& base, const std::string& out) {
  llama_model_quantize_params p = llama_model_quantize_default_params();
  p.ftype = LLAMA_FTYPE_ALL_F32;
  p.allow_requantize = true;
  if (llama_model_quantize(base.c_str(), out.c_str(), &p) != 0)
    fail(ErrorCode::model, base + ": cannot make the F32 copy that training runs on");
}

// Text files are coded documents: the start token, then the text. A .jsonl file holds one
// {"prompt", "response"} record per line, each laid out as the coder lays out a response compressed
// with its prompt as context (the chat template's user turn, then the reply), so the adapter learns
// exactly what it will predict. The prompts' tokens are also counted, for prompt routing.
struct TrainingText {
  std::vector<llama_token> tokens;
  PromptProfile prompts;
};

TrainingText tokenize_files(const detail::LoadedModel& model, const std::vector<std::string>& files) {
  TrainingText out;
  auto& all = out.tokens;
  auto append = [&](std::string_view context, std::string_view text) {
    const auto prefix = model.context_prefix(context);
    const auto t = model.tokenize(text, /*parse_special=*/false);
    all.insert(all.end(), prefix.begin(), prefix.end());
    all.insert(all.end(), t.begin(), t.end());
    if (!context.empty()) out.prompts.add(model.tokenize(context, /*parse_special=*/false));
  };
  for (const auto& f : files) {
    const std::string text = read_file(f, "training text");
    if (fs::path(f).extension() != ".jsonl") {
      append({}, text);
      continue;
    }
    size_t line_no = 0;
    for (size_t at = 0; at < text.size();) {
      const size_t end = std::min(text.find('\n', at), text.size());
      const std::string_view line(text.data() + at, end - at);
      at = end + 1;
      line_no++;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!record.is_object() || !record.contains("response") || !record["response"].is_string() ||
          (record.contains("prompt") && !record["prompt"].is_string()))
        fail(ErrorCode::usage, f + ":" + std::to_string(line_no) + ": expected {\"prompt\": text, \"response\": text}");
      append(record.value("prompt", std::string()), record["response"].get<std::string>());
    }
  }
  return out;
}

// llama.cpp's epoch callback takes no user data: the running training's state.
struct EpochState {
  const std::function<void(const TrainProgress&)>* progress = nullptr;
  TrainProgress now;
  Stopwatch watch;  // since training began
};
thread_local EpochState* g_epoch = nullptr;

void on_batch(bool train, ggml_opt_context_t, ggml_opt_dataset_t, ggml_opt_result_t result, int64_t ibatch,
              int64_t ibatch_max, int64_t) {
  if (!train || !g_epoch) return;
  double loss = 0, unc = 0;
  ggml_opt_result_loss(result, &loss, &unc);
  g_epoch->now.step = ibatch;
  g_epoch->now.steps = ibatch_max;
  g_epoch->now.loss = loss;
  g_epoch->now.seconds = g_epoch->watch.seconds();
  if (*g_epoch->progress) (*g_epoch->progress)(g_epoch->now);
}

// The learning rate of each optimizer step: a linear warm-up over the first steps (AdamW's moments
// are still noise), then a linear decline to a tenth of the peak, so the last steps refine rather
// than jump.
struct LearningRateSchedule {
  float peak = 0;
  int64_t steps = 0, step = 0;
};

ggml_opt_optimizer_params optimizer_params(void* schedule) {
  auto& s = *static_cast<LearningRateSchedule*>(schedule);
  const int64_t warmup = std::max<int64_t>(1, std::min<int64_t>(10, s.steps / 10));
  const double t = double(s.step) / double(std::max<int64_t>(1, s.steps - 1));
  const double factor = s.step < warmup ? double(s.step + 1) / double(warmup) : 1.0 - 0.9 * t;
  s.step++;
  ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
  p.adamw.alpha = float(s.peak * factor);
  p.adamw.wd = 0.0f;
  return p;
}

// Window k of the dataset: the text's tokens order[k] * n_ctx onwards, and as labels the tokens after them.
void fill_dataset(ggml_opt_dataset_t dataset, const std::vector<llama_token>& tokens, int64_t n_ctx,
                  const std::vector<int64_t>& order) {
  auto* data = static_cast<llama_token*>(ggml_opt_dataset_data(dataset)->data);
  auto* labels = static_cast<llama_token*>(ggml_opt_dataset_labels(dataset)->data);
  for (size_t k = 0; k < order.size(); k++) {
    std::copy_n(tokens.begin() + order[k] * n_ctx, n_ctx, data + k * n_ctx);
    std::copy_n(tokens.begin() + order[k] * n_ctx + 1, n_ctx, labels + k * n_ctx);
  }
}

// ggml-opt sums each step's gradients into one buffer per parameter and, when llama.cpp builds a new
// graph per batch (as llama_opt_epoch does), never clears it: every AdamW step would follow the sum of
// all gradients since training began, which made the loss climb within an epoch at learning rates
// that should be safe. The scheduler calls this after each optimizer step it computes; it clears the
// gradient that step has just used.
bool clear_gradient_after_step(ggml_tensor* t, bool ask, void*) {
  if (ask) return t->op == GGML_OP_OPT_STEP_ADAMW;
  ggml_tensor* gradient = t->src[1];
  std::memset(gradient->data, 0, ggml_nbytes(gradient));  // CPU backend: the data is in host memory
  return true;
}

// The starting factors: A uniform in +-1/sqrt(n_in) from a fixed seed (the usual LoRA start), B zero,
// so training begins at the base model. The generator is spelled out to give the same start everywhere.
std::vector<LoraFactors> initial_factors(const std::string& base, const std::regex& targets, int64_t rank,
                                         uint64_t seed) {
  std::vector<LoraFactors> factors = zero_factors(base, targets, rank);
  std::mt19937_64 rng(seed);
  for (auto& f : factors) {
    const double bound = 1.0 / std::sqrt(double(f.n_in));
    for (float& v : f.a) v = float(bound * (2.0 * double(rng() >> 11) * 0x1p-53 - 1.0));
  }
  return factors;
}

// The trained factors, read back from the adapter llama.cpp holds.
std::vector<LoraFactors> trained_factors(const llama_adapter_lora& adapter, std::vector<LoraFactors> factors) {
  for (auto& f : factors) {
    const auto it = adapter.ab_map.find(f.tensor);
    if (it == adapter.ab_map.end()) fail(ErrorCode::model, f.tensor + ": missing from the trained adapter");
    ggml_backend_tensor_get(it->second.a, f.a.data(), 0, f.a.size() * sizeof(float));
    ggml_backend_tensor_get(it->second.b, f.b.data(), 0, f.b.size() * sizeof(float));
  }
  return factors;
}

// llama.cpp sizes every graph, the training graph too, at 8 nodes per model tensor plus 6 per pair of
// each loaded adapter; the backward pass of a model as deep as SmolLM2 needs more than that. Adapters
// that are loaded but never applied to a context only make room: four copies of an all-zero one.
std::vector<std::unique_ptr<llama_adapter_lora, decltype(&llama_adapter_lora_free)>> make_graph_room(
    llama_model* model, const std::string& base, const std::regex& targets, const std::string& architecture,
    const std::string& scratch) {
  const std::string path = scratch + "/room.gguf";
  write_adapter(path, architecture, "room", zero_factors(base, targets, 32));
  std::vector<std::unique_ptr<llama_adapter_lora, decltype(&llama_adapter_lora_free)>> room;
  for (int k = 0; k < 4; k++) {
    room.emplace_back(llama_adapter_lora_init(model, path.c_str()), llama_adapter_lora_free);
    if (!room.back()) fail(ErrorCode::model, "cannot prepare the training graph");
  }
  return room;
}

}  // namespace

TrainReport train_adapter(const TrainOptions& o, const std::function<void(const TrainProgress&)>& progress) {
  if (o.rank == 0 || o.rank % 32 != 0) fail(ErrorCode::usage, "the rank must be a multiple of 32 (Q8_0 rows)");
  if (o.data.empty()) fail(ErrorCode::usage, "no training text given");
  if (o.epochs == 0 || o.context < 16) fail(ErrorCode::usage, "need at least one epoch and a context of 16 tokens");
  if (!(o.learning_rate > 0)) fail(ErrorCode::usage, "the learning rate must be positive");
  const detail::LoadedModel base(ModelOptions{o.base, o.threads});  // checks the file and the quantized matrices
  const std::regex targets = target_pattern(o.targets);
  char arch[64] = "llama";
  llama_model_meta_val_str(base.model(), "general.architecture", arch, sizeof arch);

  const Stopwatch watch;
  const ScratchDir scratch("llmz-lora");  // for the F32 copies
  TrainReport report;
  const TrainingText text = tokenize_files(base, o.data);
  const std::vector<llama_token>& tokens = text.tokens;
  const int64_t n_ctx = (o.context + 255) / 256 * 256;  // llama.cpp sizes contexts in steps of 256
  if (tokens.size() < size_t(n_ctx) + 1)
    fail(ErrorCode::usage, "too little text: " + std::to_string(tokens.size()) +
                               " tokens, need more than the context of " + std::to_string(n_ctx));
  const int64_t ndata = (int64_t(tokens.size()) - 1) / n_ctx;  // windows side by side: each token trained once an epoch
  report.tokens = tokens.size();
  report.sequences = uint64_t(ndata);

  const std::string start_path = (scratch.path / "start.gguf").string();
  std::vector<LoraFactors> factors = initial_factors(o.base, targets, o.rank, o.seed);
  if (factors.empty()) fail(ErrorCode::usage, "none of the model's tensors matches the adapter's targets");
  write_adapter(start_path, arch, "start", factors, FactorType::f32);
  const std::string f32 = (scratch.path / "base-f32.gguf").string();
  f32_copy(o.base, f32);
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  std::unique_ptr<llama_model, decltype(&llama_model_free)> f32_model(llama_model_load_from_file(f32.c_str(), mp),
                                                                      llama_model_free);
  if (!f32_model) fail(ErrorCode::model, o.base + ": cannot load its F32 copy");
  llama_model* model = f32_model.get();
  std::unique_ptr<llama_adapter_lora, decltype(&llama_adapter_lora_free)> adapter(
      llama_adapter_lora_init(model, start_path.c_str()), llama_adapter_lora_free);
  if (!adapter) fail(ErrorCode::model, "cannot attach a trainable adapter to " + o.base);
  const auto room = make_graph_room(model, o.base, targets, arch, scratch.path.string());

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = cp.n_batch = cp.n_ubatch = uint32_t(n_ctx);
  cp.n_seq_max = 1;
  cp.n_threads = cp.n_threads_batch = o.threads;
  cp.type_k = cp.type_v = GGML_TYPE_F32;  // the backward pass has no F16 kernels here
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  cp.no_perf = true;
  std::unique_ptr<llama_context, decltype(&llama_free)> ctx(llama_init_from_model(model, cp), llama_free);
  if (!ctx) fail(ErrorCode::model, "cannot create a training context (out of memory?)");
  if (int64_t(llama_n_ctx(ctx.get())) != n_ctx) fail(ErrorCode::model, "llama.cpp chose another training context size");
  llama_adapter_lora* applied = adapter.get();
  float scale = 1.0f;
  if (llama_set_adapters_lora(ctx.get(), &applied, 1, &scale) != 0) fail(ErrorCode::model, "cannot apply the adapter");

  ggml_opt_dataset_t dataset = ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, n_ctx, n_ctx, ndata, 1);
  std::vector<int64_t> order(static_cast<size_t>(ndata));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 shuffle_rng(o.seed);

  // Only the adapter's factors learn: the public API offers model tensors alone, hence the internal header.
  for (auto& [name, w] : adapter->ab_map) {
    ggml_set_param(w.a);
    ggml_set_param(w.b);
  }
  LearningRateSchedule schedule{o.learning_rate, ndata * int64_t(o.epochs)};
  llama_opt_params op{};
  op.n_ctx_train = 0;
  op.param_filter = [](const ggml_tensor*, void*) { return false; };
  op.get_opt_pars = optimizer_params;
  op.get_opt_pars_ud = &schedule;
  op.optimizer_type = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
  llama_opt_init(ctx.get(), model, op);
  ggml_backend_sched_set_eval_callback(ctx->get_sched(), clear_gradient_after_step, nullptr);

  EpochState state{&progress, {}, watch};
  state.now.epochs = o.epochs;
  g_epoch = &state;
  for (uint32_t e = 0; e < o.epochs; e++) {
    state.now.epoch = e;
    // Each epoch visits the windows in a new order (from --seed): in file order, an epoch would end on
    // whatever the data's last records happen to be.
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    fill_dataset(dataset, tokens, n_ctx, order);
    ggml_opt_result_t train = ggml_opt_result_init(), eval = ggml_opt_result_init();
    llama_opt_epoch(ctx.get(), dataset, train, eval, ndata, on_batch, nullptr);
    double loss = 0, unc = 0;
    ggml_opt_result_loss(train, &loss, &unc);
    report.epoch_loss.push_back(loss);
    ggml_opt_result_free(train);
    ggml_opt_result_free(eval);
  }
  g_epoch = nullptr;
  ggml_opt_dataset_free(dataset);
  factors = trained_factors(*adapter, std::move(factors));

  const std::string tmp = o.out + ".tmp";
  try {
    write_adapter(tmp, arch, fs::path(o.out).stem().string(), factors, FactorType::q8_0, &text.prompts);
    fs::rename(tmp, o.out);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  report.adapter_bytes = fs::file_size(o.out);
  report.seconds = watch.seconds();
  return report;
}

uint64_t profile_adapter(const std::string& base, const std::vector<std::string>& data, const std::string& adapter) {
  const detail::LoadedModel model(ModelOptions{base, 1});
  const PromptProfile prompts = tokenize_files(model, data).prompts;
  if (prompts.counts.empty())
    fail(ErrorCode::usage, "the data holds no prompts: give .jsonl files of {\"prompt\", \"response\"} records");
  set_prompt_profile(adapter, prompts);
  return prompts.total();
}

}  // namespace llmz::lora
