#include "model/gguf_writer.h"

#include <cstring>

#include "common/error.h"
#include "ggml.h"

namespace llmz {

GgufWriter::GgufWriter(size_t max_tensors) : gguf_(gguf_init_empty()) {
  ggml_init_params p = {max_tensors * ggml_tensor_overhead(), nullptr, /*no_alloc=*/true};
  meta_ = ggml_init(p);
}

GgufWriter::~GgufWriter() {
  ggml_free(meta_);
  gguf_free(gguf_);
}

void GgufWriter::add_f32(const std::string& name, const std::vector<float>& values, int64_t cols) {
  const auto n = static_cast<int64_t>(values.size());
  if (cols > 0 && n % cols != 0) fail(ErrorCode::usage, name + ": not a whole number of rows");
  ggml_tensor* t =
      cols > 0 ? ggml_new_tensor_2d(meta_, GGML_TYPE_F32, cols, n / cols) : ggml_new_tensor_1d(meta_, GGML_TYPE_F32, n);
  std::vector<uint8_t>& bytes = data_.emplace_back(values.size() * sizeof(float));
  memcpy(bytes.data(), values.data(), bytes.size());
  add(t, name, bytes);
}

void GgufWriter::add_q8(const std::string& name, const std::vector<float>& values, int64_t cols) {
  if (cols <= 0 || cols % ggml_blck_size(GGML_TYPE_Q8_0) != 0 || values.size() % size_t(cols) != 0)
    fail(ErrorCode::usage, name + ": a Q8_0 row must hold a multiple of 32 values");
  const int64_t rows = static_cast<int64_t>(values.size()) / cols;
  ggml_tensor* t = ggml_new_tensor_2d(meta_, GGML_TYPE_Q8_0, cols, rows);
  std::vector<uint8_t>& bytes = data_.emplace_back(ggml_nbytes(t));
  ggml_quantize_chunk(GGML_TYPE_Q8_0, values.data(), bytes.data(), 0, rows, cols, nullptr);
  add(t, name, bytes);
}

void GgufWriter::add(ggml_tensor* t, const std::string& name, std::vector<uint8_t>& bytes) {
  ggml_set_name(t, name.c_str());
  t->data = bytes.data();
  gguf_add_tensor(gguf_, t);
}

void GgufWriter::write(const std::string& path) {
  if (!gguf_write_to_file(gguf_, path.c_str(), /*only_meta=*/false)) fail(ErrorCode::io, path + ": cannot write");
}

}  // namespace llmz
