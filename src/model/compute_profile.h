// Compute profiles: which build of llama.cpp's CPU backend evaluates models (docs/FORMAT.md, "Compute
// profiles"). The backend is a module loaded at run time; every CPU that runs the same module computes
// the same numbers, so a file names the profile it was coded with and the decoder loads that one.
#pragma once
#include <string>

#include "llmz/llmz.h"

namespace llmz::detail {

// The name files record: "x86-64-v3" (portable) or "native".
const char* compute_profile_name(Compute profile);

// Makes profile the one this process computes with, loading its module. Changing it is allowed while
// no model is loaded. Fails with ErrorCode::model when the CPU lacks the profile's instructions or its
// module is not built here, and with ErrorCode::usage when models of another profile are loaded.
void use_compute_profile(Compute profile);

// The profile in use (after loading the portable one if none was chosen), and llama.cpp's system
// information with its module loaded (the CPU features it was compiled for).
struct ActiveCompute {
  Compute profile;
  std::string system_info;
};
ActiveCompute active_compute();

// Held by every loaded model: the profile cannot change under it.
class ComputeLease {
 public:
  ComputeLease();
  ~ComputeLease();
  ComputeLease(const ComputeLease&) = delete;
  ComputeLease& operator=(const ComputeLease&) = delete;
  Compute profile() const { return profile_; }

 private:
  Compute profile_;
};

class LoadedModel;
// Decoding: fails with ErrorCode::usage unless the model computes with the profile the file's compute id names.
void require_compute_profile(const std::string& file_compute, const LoadedModel& model);

}  // namespace llmz::detail
