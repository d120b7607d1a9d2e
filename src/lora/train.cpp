#include "lora/train.h"

#include <Eigen/Dense>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <filesystem>
#include <memory>
#include <regex>

#include "common/error.h"
#include "ggml-opt.h"
#include "gguf.h"
#include "llama.h"
#include "lora/adapter_file.h"
#include "model/loaded_model.h"

namespace llmz::lora {

namespace {

namespace fs = std::filesystem;

// A scratch folder for the F32 copies, removed whatever happens.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string templ = (fs::temp_directory_path() / "llmz-lora-XXXXXX").string();
    if (!mkdtemp(templ.data())) fail(ErrorCode::io, "cannot make a temporary folder in " + fs::temp_directory_path().string());
    path = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void f32_copy(const std::string& base, const std::string& out) {
  llama_model_quantize_params p = llama_model_quantize_default_params();
  p.ftype = LLAMA_FTYPE_ALL_F32;
  p.allow_requantize = true;
  if (llama_model_quantize(base.c_str(), out.c_str(), &p) != 0)
    fail(ErrorCode::model, base + ": cannot make the F32 copy that training needs");
}

std::string read_text(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail(ErrorCode::io, path + ": training text not found");
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each file starts with the start token, as every coded sequence does.
std::vector<llama_token> tokenize_files(const detail::LoadedModel& model, const std::vector<std::string>& files) {
  std::vector<llama_token> all;
  for (const auto& f : files) {
    all.push_back(model.start_token());
    const auto t = model.tokenize(read_text(f), /*parse_special=*/false);
    all.insert(all.end(), t.begin(), t.end());
  }
  return all;
}

// llama.cpp's epoch callback takes no user data: the running training's state.
struct EpochState {
  const std::function<void(const TrainProgress&)>* progress = nullptr;
  TrainProgress now;
  std::chrono::steady_clock::time_point start;
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
  g_epoch->now.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_epoch->start).count();
  if (*g_epoch->progress) (*g_epoch->progress)(g_epoch->now);
}

ggml_opt_optimizer_params optimizer_params(void* learning_rate) {
  ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
  p.adamw.alpha = *static_cast<float*>(learning_rate);
  p.adamw.wd = 0.0f;
  return p;
}

struct GgufWithData {
  gguf_context* gguf = nullptr;
  ggml_context* data = nullptr;
  explicit GgufWithData(const std::string& path) {
    gguf_init_params p = {/*no_alloc=*/false, &data};
    gguf = gguf_init_from_file(path.c_str(), p);
    if (!gguf) fail(ErrorCode::io, path + ": cannot read back");
  }
  ~GgufWithData() {
    if (data) ggml_free(data);
    if (gguf) gguf_free(gguf);
  }
};

// Rank-r factors of each trained matrix's change; returns the squared norm kept and in total.
std::vector<LoraFactors> low_rank_changes(const std::string& before, const std::string& after, const std::regex& targets,
                                          int64_t rank, double& kept, double& total) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  GgufWithData base(before), tuned(after);
  std::vector<LoraFactors> out;
  for (int64_t i = 0; i < gguf_get_n_tensors(base.gguf); i++) {
    const std::string name = gguf_get_tensor_name(base.gguf, i);
    if (!std::regex_match(name, targets)) continue;
    const ggml_tensor* w0 = ggml_get_tensor(base.data, name.c_str());
    const ggml_tensor* w1 = ggml_get_tensor(tuned.data, name.c_str());
    if (!w0 || !w1 || w0->type != GGML_TYPE_F32 || w1->type != GGML_TYPE_F32 || !ggml_are_same_shape(w0, w1))
      fail(ErrorCode::model, name + ": the trained copy does not match the base");
    const int64_t n_in = w0->ne[0], n_out = w0->ne[1];
    if (n_in % 32 != 0) continue;  // Q8_0 rows need multiples of 32
    const Matrix delta = Eigen::Map<const Matrix>(static_cast<const float*>(w1->data), n_out, n_in) -
                         Eigen::Map<const Matrix>(static_cast<const float*>(w0->data), n_out, n_in);
    const int64_t r = std::min<int64_t>(rank, std::min(n_in, n_out));
    Eigen::BDCSVD<Eigen::MatrixXf> svd(delta, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const auto& s = svd.singularValues();
    total += double(s.squaredNorm());
    kept += double(s.head(r).squaredNorm());
    LoraFactors f{name, n_in, n_out, rank, std::vector<float>(size_t(rank * n_in), 0.0f),
                  std::vector<float>(size_t(n_out * rank), 0.0f)};
    Eigen::Map<Matrix> a(f.a.data(), rank, n_in), b(f.b.data(), n_out, rank);
    a.topRows(r) = svd.matrixV().leftCols(r).transpose();
    b.leftCols(r) = svd.matrixU().leftCols(r) * s.head(r).asDiagonal();
    out.push_back(std::move(f));
  }
  if (out.empty()) fail(ErrorCode::usage, "none of the model's tensors matches the adapter's targets");
  return out;
}

// llama.cpp sizes every graph, the training graph too, at 8 nodes per model tensor plus 6 per pair of
// each loaded adapter; the backward pass of a model as deep as SmolLM2 needs more than that. Adapters
// that are loaded but never applied to a context only make room: four copies of an all-zero one.
std::vector<std::unique_ptr<llama_adapter_lora, decltype(&llama_adapter_lora_free)>> make_graph_room(
    llama_model* model, const std::string& f32, const std::regex& targets, const std::string& architecture,
    const std::string& scratch) {
  const std::string path = scratch + "/room.gguf";
  write_adapter(path, architecture, "room", zero_factors(f32, targets, 32));
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

  detail::init_llama_backend();
  const auto start = std::chrono::steady_clock::now();
  ScratchDir scratch;
  const std::string f32 = (scratch.path / "base-f32.gguf").string(), tuned = (scratch.path / "tuned-f32.gguf").string();
  f32_copy(o.base, f32);

  TrainReport report;
  {
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.load_mode = LLAMA_LOAD_MODE_NONE;  // weights in writable memory: training changes them
    std::unique_ptr<llama_model, decltype(&llama_model_free)> model(llama_model_load_from_file(f32.c_str(), mp),
                                                                     llama_model_free);
    if (!model) fail(ErrorCode::model, o.base + ": cannot load its F32 copy");
    const std::vector<llama_token> tokens = tokenize_files(base, o.data);
    const int64_t n_ctx = (o.context + 255) / 256 * 256;  // llama.cpp sizes contexts in steps of 256
    const int64_t stride = n_ctx / 2;
    if (tokens.size() < size_t(n_ctx) + 2)
      fail(ErrorCode::usage, "too little text: " + std::to_string(tokens.size()) + " tokens, need more than the context of " +
                                 std::to_string(n_ctx));
    const int64_t ndata = (int64_t(tokens.size()) - n_ctx - 1) / stride + 1;
    report.tokens = tokens.size();
    report.sequences = uint64_t(ndata);

    const auto room = make_graph_room(model.get(), f32, targets, arch, scratch.path.string());
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = cp.n_batch = cp.n_ubatch = uint32_t(n_ctx);
    cp.n_seq_max = 1;
    cp.n_threads = cp.n_threads_batch = o.threads;
    cp.type_k = cp.type_v = GGML_TYPE_F32;  // the backward pass has no F16 kernels here
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.no_perf = true;
    std::unique_ptr<llama_context, decltype(&llama_free)> ctx(llama_init_from_model(model.get(), cp), llama_free);
    if (!ctx) fail(ErrorCode::model, "cannot create a training context (out of memory?)");

    if (int64_t(llama_n_ctx(ctx.get())) != n_ctx) fail(ErrorCode::model, "llama.cpp chose another training context size");
    ggml_opt_dataset_t dataset = ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, n_ctx, n_ctx, ndata, 1);
    auto* data = static_cast<llama_token*>(ggml_opt_dataset_data(dataset)->data);
    auto* labels = static_cast<llama_token*>(ggml_opt_dataset_labels(dataset)->data);
    for (int64_t k = 0; k < ndata; k++) {
      std::copy_n(tokens.begin() + k * stride, n_ctx, data + k * n_ctx);
      std::copy_n(tokens.begin() + k * stride + 1, n_ctx, labels + k * n_ctx);
    }

    float lr = o.learning_rate;
    llama_opt_params op{};
    op.n_ctx_train = 0;
    op.param_filter = [](const ggml_tensor* t, void* re) { return std::regex_match(ggml_get_name(t), *static_cast<std::regex*>(re)); };
    op.param_filter_ud = const_cast<std::regex*>(&targets);
    op.get_opt_pars = optimizer_params;
    op.get_opt_pars_ud = &lr;
    op.optimizer_type = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
    llama_opt_init(ctx.get(), model.get(), op);

    EpochState state{&progress, {}, start};
    state.now.epochs = o.epochs;
    g_epoch = &state;
    for (uint32_t e = 0; e < o.epochs; e++) {
      state.now.epoch = e;
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
    llama_model_save_to_file(model.get(), tuned.c_str());
  }

  double kept = 0, total = 0;
  const auto factors = low_rank_changes(f32, tuned, targets, o.rank, kept, total);
  report.kept_energy = total > 0 ? kept / total : 1.0;
  const std::string tmp = o.out + ".tmp";
  try {
    write_adapter(tmp, arch, fs::path(o.out).stem().string(), factors);
    fs::rename(tmp, o.out);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  report.adapter_bytes = fs::file_size(o.out);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace llmz::lora
