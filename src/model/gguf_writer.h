// Writes GGUF files tensor by tensor (F32 vectors, Q8_0 matrices): the test models and LoRA adapters.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gguf.h"

struct ggml_context;
struct ggml_tensor;

namespace llmz {

class GgufWriter {
 public:
  explicit GgufWriter(size_t max_tensors);
  ~GgufWriter();
  GgufWriter(const GgufWriter&) = delete;
  GgufWriter& operator=(const GgufWriter&) = delete;

  gguf_context* meta() { return gguf_; }  // for key-value pairs
  // A vector, or with `cols` > 0 a row-major matrix of `cols` (= ggml ne0) floats per row.
  void add_f32(const std::string& name, const std::vector<float>& values, int64_t cols = 0);
  // `values` is row-major with `cols` (= ggml ne0, the input dimension; a multiple of 32) floats per row.
  void add_q8(const std::string& name, const std::vector<float>& values, int64_t cols);
  // Fails with an I/O error when the file cannot be written.
  void write(const std::string& path);

 private:
  void add(ggml_tensor* t, const std::string& name, std::vector<uint8_t>& bytes);

  gguf_context* gguf_;
  ggml_context* meta_;
  std::vector<std::vector<uint8_t>> data_;  // tensor bytes: gguf only points at them until written
};

}  // namespace llmz
