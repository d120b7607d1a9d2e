// A control group that holds one sandboxed process tree: one memory limit and one process-count
// limit for the whole tree, and a way to kill every process in it. Works with cgroup v1 (memory and
// pids hierarchies) and v2 (a child of this process's own group with both controllers), where the
// caller may create groups (root in a container, or a delegated subtree).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llmz::eval {

class Cgroup {
 public:
  // A new group with these limits, or nullptr with *why_not saying what is missing.
  static std::unique_ptr<Cgroup> create(uint64_t memory_bytes, uint32_t max_processes, std::string* why_not);
  ~Cgroup();  // kills what is left in it and removes it
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;

  // The cgroup.procs files a process writes its pid to, to join (from a forked child: plain write(2)).
  const std::vector<std::string>& procs_files() const { return procs_files_; }
  // Kills every process in the group and waits (briefly) until it is empty.
  void kill_all();
  // True when the kernel killed a process of the group for exceeding the memory limit.
  bool memory_limit_hit() const;

 private:
  Cgroup() = default;
  std::vector<std::string> dirs_;         // one per hierarchy (v1: memory, pids; v2: one)
  std::vector<std::string> procs_files_;  // dir/cgroup.procs for each
  std::string memory_events_;             // where oom_kill is counted (v1: memory.oom_control; v2: memory.events)
  bool v2_ = false;
};

}  // namespace llmz::eval
