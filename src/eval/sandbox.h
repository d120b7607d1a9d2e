// Runs untrusted Python (a model's answer to a coding problem, a benchmark's tests) inside
// bubblewrap: its own empty folder as the working directory, a private /tmp, /usr read-only and the
// rest of the file system absent, no network of any kind (a new network namespace: no IP, no abstract
// UNIX sockets; no host socket file is visible), an unprivileged user in a user namespace with no
// capabilities, its own PID namespace (every descendant dies with it), one memory limit and one
// process-count limit for the whole process tree (a cgroup), and CPU, wall-time and file-size limits.
// What this machine cannot provide is said by sandbox_gaps(); docs/EVAL.md lists what is prevented.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "llmz/eval.h"

namespace llmz::eval {

struct SandboxLimits {
  double wall_seconds = 10;
  uint32_t cpu_seconds = 10;                  // per process
  uint64_t memory_bytes = uint64_t(1) << 30;  // the whole process tree (and each process's address space)
  uint32_t max_processes = 32;                // the whole process tree, threads included
  uint64_t file_bytes = uint64_t(16) << 20;   // largest file the program may write
};

struct SandboxResult {
  bool passed = false;        // ran to its end (printed the sandbox's sentinel after the last line) and exited 0
  bool finished = false;      // the sentinel was printed
  bool timed_out = false;     // killed after the wall-time limit
  bool memory_limit = false;  // a process was killed for exceeding the tree's memory limit
  int exit_code = -1;         // when it exited
  int signal = 0;             // when a signal ended it
  std::string error;          // the last lines of its stderr (why it failed)
};

// Runs `python3 -I` (Debian's /usr/bin/python3) on the program, then, if it reaches its end, prints a
// random sentinel: a program that exits with status 0 before its last line (its asserts) is not
// passed. Fails with ErrorCode::unsupported only if the sandbox itself cannot be set up (bubblewrap
// missing or refused); a failing program is a result, not an error.
SandboxResult run_python(const std::string& program, const SandboxLimits& limits = {});

}  // namespace llmz::eval
