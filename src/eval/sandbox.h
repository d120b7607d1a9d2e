// Runs untrusted Python (a model's answer to a coding problem) in a contained child process: its own
// temporary directory, no network (a fresh network namespace), limits on CPU time, wall time, memory,
// file size and output, and the whole process group killed when time runs out.
#pragma once
#include <cstdint>
#include <string>

namespace llmz::eval {

struct SandboxLimits {
  double wall_seconds = 10;
  uint32_t cpu_seconds = 10;
  uint64_t memory_bytes = uint64_t(1) << 30;  // address space
  uint64_t file_bytes = uint64_t(16) << 20;   // largest file the program may write
};

struct SandboxResult {
  bool passed = false;     // exited with status 0
  bool timed_out = false;  // killed after the wall-time limit
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  std::string error;       // the last lines of its stderr (why it failed)
};

// Runs `python3 -I` on the program. Fails (ErrorCode::unsupported) only if the sandbox itself cannot be
// set up, e.g. no network namespace can be made; a failing program is a result, not an error.
SandboxResult run_python(const std::string& program, const SandboxLimits& limits = {});

}  // namespace llmz::eval
