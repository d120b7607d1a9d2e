// Writes a tiny random-weight llama-architecture GGUF (Q8_0 matrices) around the tokenizer of a
// vocab-only GGUF, so tests can run a real llama.cpp model in milliseconds.
//
// Purely random weights give near-uniform predictions (cross-entropy ~ln(n_vocab), 10.8 nats for
// GPT-2), so the model also carries a Zipf-like prior over token ids: BPE vocabularies are ordered
// roughly by merge frequency, which brings English text to ~9 nats per token (no context-free
// model gets much lower). The prior rides on embedding channel 0, which is constant for every
// token; output.weight column 0 holds the per-token log-prior and output_norm.weight[0] amplifies it.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "ggml.h"
#include "gguf.h"
#include "model/gguf_writer.h"

namespace {

struct Args {
  std::string vocab, out;
  uint64_t seed = 1;
  int64_t layers = 2, embd = 64, heads = 4, kv_heads = 2, ff = 128, ctx = 4096;
};

// Tuned on English prose: larger weights make predictions more context-dependent, but random
// context dependence is noise that costs cross-entropy (0.06 gives ~0.3 nats KL vs no context).
constexpr float kWeightStd = 0.06f;  // attention and feed-forward matrices
constexpr float kOutputStd = 0.04f;  // output.weight apart from the prior column
// Log-prior of token t is -kPriorSlope * ln(t + kPriorOffset) (scaled by ~1/rms of the residual).
constexpr double kPriorSlope = 1.4, kPriorOffset = 100.0;
constexpr float kPriorGain = 32.0f;  // output_norm.weight[0]: keeps column 0 small, so Q8_0 blocks
                                     // keep resolution for the random entries beside it

[[noreturn]] void usage(const char* prog, const std::string& error) {
  fprintf(stderr,
          "%s: %s\n"
          "usage: %s VOCAB.gguf OUT.gguf [--seed N] [--layers 2] [--embd 64] [--heads 4]\n"
          "       [--kv-heads 2] [--ff 128] [--ctx 4096]\n",
          prog, error.c_str(), prog);
  exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) {
      positional.push_back(flag);
      continue;
    }
    if (i + 1 >= argc) usage(argv[0], "missing value for " + flag);
    const char* text = argv[++i];
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
      usage(argv[0], "bad value '" + std::string(text) + "' for " + flag);
    }
    if (flag == "--seed") {
      a.seed = v;
      continue;
    }
    int64_t* field = flag == "--layers"     ? &a.layers
                     : flag == "--embd"     ? &a.embd
                     : flag == "--heads"    ? &a.heads
                     : flag == "--kv-heads" ? &a.kv_heads
                     : flag == "--ff"       ? &a.ff
                     : flag == "--ctx"      ? &a.ctx
                                            : nullptr;
    if (field == nullptr) usage(argv[0], "unknown option " + flag);
    if (v == 0 || v > (1u << 20)) usage(argv[0], flag + " must be in 1..1048576");
    *field = static_cast<int64_t>(v);
  }
  if (positional.size() != 2) usage(argv[0], "expected VOCAB.gguf and OUT.gguf");
  a.vocab = positional[0];
  a.out = positional[1];
  // Q8_0 packs rows in blocks of 32; rope rotates pairs of dimensions within a head.
  if (a.embd % 32 != 0 || a.ff % 32 != 0) usage(argv[0], "--embd and --ff must be multiples of 32");
  if (a.embd % a.heads != 0 || (a.embd / a.heads) % 2 != 0) {
    usage(argv[0], "--embd must be a multiple of --heads with an even head size");
  }
  if (a.heads % a.kv_heads != 0) usage(argv[0], "--heads must be a multiple of --kv-heads");
  return a;
}

// Portable distributions: std::normal_distribution's output differs between standard libraries.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }  // [0, 1)
  float normal() {  // Box-Muller, using both values of each pair
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(1.0 - uniform())), phi = 6.283185307179586 * uniform();
    spare_ = static_cast<float>(r * std::sin(phi));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(phi));
  }

 private:
  std::mt19937_64 gen_;
  float spare_ = 0.0f;
  bool has_spare_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse_args(argc, argv);

  gguf_init_params vocab_params = {/*no_alloc=*/true, nullptr};
  gguf_context* vocab = gguf_init_from_file(a.vocab.c_str(), vocab_params);
  const int64_t tokens_key = vocab ? gguf_find_key(vocab, "tokenizer.ggml.tokens") : -1;
  if (tokens_key < 0 || gguf_get_kv_type(vocab, tokens_key) != GGUF_TYPE_ARRAY ||
      gguf_get_arr_type(vocab, tokens_key) != GGUF_TYPE_STRING) {
    fprintf(stderr, "%s: %s is not a readable GGUF with tokenizer.ggml.tokens\n", argv[0], a.vocab.c_str());
    return 1;
  }
  const int64_t n_vocab = static_cast<int64_t>(gguf_get_arr_n(vocab, tokens_key));

  llmz::GgufWriter w(3 + 9 * static_cast<size_t>(a.layers));
  gguf_context* out = w.meta();
  gguf_set_kv(out, vocab);
  gguf_free(vocab);
  // Keep only the tokenizer: the vocab file's general.* and <arch>.* keys describe another model.
  for (int64_t i = gguf_get_n_kv(out) - 1; i >= 0; --i) {
    const std::string key = gguf_get_key(out, i);
    if (key.rfind("tokenizer.", 0) != 0) gguf_remove_key(out, key.c_str());
  }
  const int64_t head_dim = a.embd / a.heads;
  gguf_set_val_str(out, "general.architecture", "llama");
  gguf_set_val_str(out, "general.name", "llmz-tiny-random");
  gguf_set_val_u32(out, "general.file_type", 7);  // LLAMA_FTYPE_MOSTLY_Q8_0
  gguf_set_val_u32(out, "general.quantization_version", GGML_QNT_VERSION);
  gguf_set_val_u32(out, "llama.vocab_size", static_cast<uint32_t>(n_vocab));
  gguf_set_val_u32(out, "llama.context_length", static_cast<uint32_t>(a.ctx));
  gguf_set_val_u32(out, "llama.embedding_length", static_cast<uint32_t>(a.embd));
  gguf_set_val_u32(out, "llama.block_count", static_cast<uint32_t>(a.layers));
  gguf_set_val_u32(out, "llama.feed_forward_length", static_cast<uint32_t>(a.ff));
  gguf_set_val_u32(out, "llama.attention.head_count", static_cast<uint32_t>(a.heads));
  gguf_set_val_u32(out, "llama.attention.head_count_kv", static_cast<uint32_t>(a.kv_heads));
  gguf_set_val_u32(out, "llama.rope.dimension_count", static_cast<uint32_t>(head_dim));
  gguf_set_val_f32(out, "llama.rope.freq_base", 10000.0f);
  gguf_set_val_f32(out, "llama.attention.layer_norm_rms_epsilon", 1e-5f);

  Rng rng(a.seed);
  auto random = [&](int64_t n, float scale) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = scale * rng.normal();
    return v;
  };
  const std::vector<float> ones(static_cast<size_t>(a.embd), 1.0f);

  // Unit scale: behind RMS norms only the size relative to the blocks' outputs matters.
  std::vector<float> embd = random(n_vocab * a.embd, 1.0f);
  for (int64_t t = 0; t < n_vocab; ++t) embd[t * a.embd] = 1.0f;
  w.add_q8("token_embd.weight", embd, a.embd);

  std::vector<float> out_norm = ones;
  out_norm[0] = kPriorGain;
  w.add_f32("output_norm.weight", out_norm);
  std::vector<float> output = random(n_vocab * a.embd, kOutputStd);
  for (int64_t t = 0; t < n_vocab; ++t) {
    output[t * a.embd] =
        static_cast<float>(-kPriorSlope * std::log(static_cast<double>(t) + kPriorOffset) / kPriorGain);
  }
  w.add_q8("output.weight", output, a.embd);

  const int64_t kv_dim = head_dim * a.kv_heads;
  for (int64_t l = 0; l < a.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    w.add_f32(p + "attn_norm.weight", ones);
    w.add_q8(p + "attn_q.weight", random(a.embd * a.embd, kWeightStd), a.embd);
    w.add_q8(p + "attn_k.weight", random(kv_dim * a.embd, kWeightStd), a.embd);
    w.add_q8(p + "attn_v.weight", random(kv_dim * a.embd, kWeightStd), a.embd);
    w.add_q8(p + "attn_output.weight", random(a.embd * a.embd, kWeightStd), a.embd);
    w.add_f32(p + "ffn_norm.weight", ones);
    w.add_q8(p + "ffn_gate.weight", random(a.ff * a.embd, kWeightStd), a.embd);
    w.add_q8(p + "ffn_up.weight", random(a.ff * a.embd, kWeightStd), a.embd);
    w.add_q8(p + "ffn_down.weight", random(a.embd * a.ff, kWeightStd), a.ff);
  }

  try {
    w.write(a.out);
  } catch (const llmz::Error& e) {
    fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
