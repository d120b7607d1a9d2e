#include "eval/cgroup.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace llmz::eval {

namespace fs = std::filesystem;

namespace {

bool write_value(const fs::path& file, const std::string& value) {
  std::ofstream out(file);
  out << value;
  out.flush();
  return bool(out);
}

std::string read_all(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Where a cgroup file system is mounted: v1 hierarchies by controller name, v2 as "cgroup2".
std::string mount_point(const std::string& controller) {
  std::ifstream mounts("/proc/mounts");
  std::string device, dir, type, options, rest;
  while (mounts >> device >> dir >> type >> options && std::getline(mounts, rest)) {
    if (controller == "cgroup2"
            ? type == "cgroup2"
            : type == "cgroup" && ("," + options + ",").find("," + controller + ",") != std::string::npos)
      return dir;
  }
  return {};
}

// This process's group in a hierarchy ("" = the v2 one), from /proc/self/cgroup.
std::string own_group(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    if (controller.empty() ? controllers.empty()
                           : ("," + controllers + ",").find("," + controller + ",") != std::string::npos)
      return line.substr(b + 1);
  }
  return "/";
}

// A new group under this process's own one where it exists below the mount (else at the mount's root).
std::string make_group(const std::string& mount, const std::string& own, const std::string& name) {
  fs::path parent = fs::path(mount) / fs::path(own).relative_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) parent = mount;
  const fs::path dir = parent / name;
  return fs::create_directory(dir, ec) ? dir.string() : std::string();
}

std::string unique_name() {
  static std::atomic<uint32_t> counter{0};
  return "llmz-sandbox-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

uint64_t counter_in(const std::string& text, const std::string& key) {
  const size_t at = text.find(key + " ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + key.size() + 1));
}

}  // namespace

std::unique_ptr<Cgroup> Cgroup::create(uint64_t memory_bytes, uint32_t max_processes, std::string* why_not) {
  auto g = std::unique_ptr<Cgroup>(new Cgroup());
  const std::string name = unique_name();
  const std::string memory_mount = mount_point("memory"), pids_mount = mount_point("pids");
  if (!memory_mount.empty() && !pids_mount.empty()) {  // cgroup v1
    for (const auto& [mount, controller] : {std::pair{memory_mount, "memory"}, std::pair{pids_mount, "pids"}}) {
      const std::string dir = make_group(mount, own_group(controller), name);
      if (dir.empty()) {
        *why_not = "cannot create a group in " + mount + " (not root, and no delegated group)";
        return nullptr;
      }
      g->dirs_.push_back(dir);
    }
    const fs::path mem = g->dirs_[0], pids_dir = g->dirs_[1];
    g->memory_events_ = (mem / "memory.oom_control").string();
    // The swap limit is optional (memsw exists only with swap accounting): then swap is not bounded.
    if (!write_value(mem / "memory.limit_in_bytes", std::to_string(memory_bytes)) ||
        !write_value(pids_dir / "pids.max", std::to_string(max_processes))) {
      *why_not = "cannot set limits in " + memory_mount + " and " + pids_mount;
      return nullptr;
    }
    write_value(mem / "memory.memsw.limit_in_bytes", std::to_string(memory_bytes));
  } else if (const std::string mount = mount_point("cgroup2"); !mount.empty()) {
    g->v2_ = true;
    const std::string own = own_group("");
    const fs::path parent = fs::path(mount) / fs::path(own).relative_path();
    write_value(parent / "cgroup.subtree_control", "+memory +pids");  // may already be on, or refused
    const std::string dir = make_group(mount, own, name);
    if (dir.empty()) {
      *why_not = "cannot create a group in " + parent.string() + " (not root, and no delegated group)";
      return nullptr;
    }
    g->dirs_.push_back(dir);
    g->memory_events_ = (fs::path(dir) / "memory.events").string();
    if (!write_value(fs::path(dir) / "memory.max", std::to_string(memory_bytes)) ||
        !write_value(fs::path(dir) / "pids.max", std::to_string(max_processes))) {
      *why_not = "the memory and pids controllers are not enabled for " + parent.string();
      return nullptr;
    }
    write_value(fs::path(dir) / "memory.swap.max", "0");
  } else {
    *why_not = "no cgroup file system with the memory and pids controllers is mounted";
    return nullptr;
  }
  for (const auto& d : g->dirs_) g->procs_files_.push_back((fs::path(d) / "cgroup.procs").string());
  return g;
}

void Cgroup::kill_all() {
  if (v2_) write_value(fs::path(dirs_[0]) / "cgroup.kill", "1");  // kernel 5.14+; the loop covers older ones
  for (int attempt = 0; attempt < 200; attempt++) {
    bool any = false;
    for (const auto& procs : procs_files_) {
      std::istringstream pids(read_all(procs));
      for (pid_t pid; pids >> pid;) any = true, kill(pid, SIGKILL);
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool Cgroup::memory_limit_hit() const { return counter_in(read_all(memory_events_), "oom_kill") > 0; }

Cgroup::~Cgroup() {
  kill_all();
  for (const auto& d : dirs_) {
    std::error_code ec;
    for (int attempt = 0; attempt < 50 && !fs::remove(d, ec) && fs::exists(d); attempt++)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace llmz::eval
