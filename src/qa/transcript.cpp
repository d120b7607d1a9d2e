// The transcript as the SLM reads it and as .qa files check it: apart from the protocol's model
// code, so that model-free readers (the .qa file, its fuzzer) link without llama.cpp.
#include <string>
#include <vector>

#include "qa/protocol.h"

namespace llmz::qa {

std::string format_transcript(const std::vector<Turn>& turns) {
  if (turns.empty()) return "(none)\n";
  std::string s;
  for (size_t i = 0; i < turns.size(); i++) {
    const std::string k = std::to_string(i + 1);
    s += "Q" + k + ": " + turns[i].question + "\nA" + k + ": " + (turns[i].yes ? "Yes" : "No") + "\n";
  }
  return s;
}

}  // namespace llmz::qa
