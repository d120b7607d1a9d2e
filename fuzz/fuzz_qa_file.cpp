// A .qa file and its answer bits: the header (sizes checked before any allocation), then the answer
// coder decoding the payload under P(yes) values taken from the input. Inputs are laid out as
// fuzz_input.h says; with valid checksums asked for, the payload's is made valid too.
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "fuzz_input.h"
#include "qa/answer_coder.h"
#include "qa/qa_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = fuzz_file(data, size, 4);
  if (!f) return 0;
  if (f->checksum_at) {  // the payload runs from after the header checksum to the last 4 bytes
    auto& b = f->bytes;
    const size_t start = *f->checksum_at + 4, end = b.size() - 4;
    const uint32_t sum = uint32_t(XXH3_64bits(b.data() + start, end - start));
    std::memcpy(b.data() + end, &sum, 4);
  }
  try {
    const llmz::qa::QaHeader h = llmz::qa::read_qa_file(f->bytes);
    llmz::qa::AnswerCoder coder(h.payload);
    for (uint32_t k = 0; k < h.answers && !coder.overran(); k++) {
      const uint32_t slm_yes = 1 + (uint32_t(h.payload.empty() ? k : h.payload[k % h.payload.size()]) * 257) % 65535;
      coder.decode(slm_yes);
    }
  } catch (const llmz::Error&) {
  }
  return 0;
}
