#include "eval/sandbox.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "common/error.h"
#include "common/file.h"
#include "eval/cgroup.h"

namespace llmz::eval {

namespace fs = std::filesystem;

namespace {

constexpr const char* kBwrap = "/usr/bin/bwrap";
constexpr const char* kPython = "/usr/bin/python3";  // Debian's: it lives under /usr, the one folder shared
constexpr int kInfoFd = 3;                           // bubblewrap reports a started sandbox here

// In the child between fork and exec only async-signal-safe calls are allowed: report a set-up
// failure through the pipe and leave.
[[noreturn]] void child_fail(int pipe_fd, const char* what) {
  int code = errno;  // as a number: strerror is not async-signal-safe
  char digits[16], *end = digits + sizeof digits, *d = end;
  do *--d = char('0' + code % 10);
  while ((code /= 10) > 0);
  (void)!write(pipe_fd, what, strlen(what));
  (void)!write(pipe_fd, ": errno ", 8);
  (void)!write(pipe_fd, d, size_t(end - d));
  _exit(126);
}

void limit(int resource, uint64_t value) {
  const rlimit r{rlim_t(value), rlim_t(value)};
  setrlimit(resource, &r);
}

std::string tail_of(const fs::path& file, size_t bytes) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return {};
  const std::string s = read_file(file, "program output");
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

// Both ends of a pipe, each closed once, at the latest when the pipe goes out of scope.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() = default;
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
  ~Pipe() { close_end(0), close_end(1); }
};

std::string random_sentinel() {
  std::random_device rd;  // the kernel's random source: a program cannot predict it
  char hex[33];
  snprintf(hex, sizeof hex, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return std::string("llmz-sandbox-finished-") + hex;
}

// bubblewrap's command line: only /usr (read-only), a fresh /proc, /dev and /tmp, and the folder.
std::vector<std::string> bwrap_command(const std::string& dir) {
  std::vector<std::string> a = {
      kBwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"};
  for (const char* top : {"/bin", "/lib", "/lib64", "/lib32", "/sbin"}) {  // merged /usr: links; else folders
    std::error_code ec;
    if (fs::is_symlink(top, ec)) {
      a.insert(a.end(), {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (fs::is_directory(top, ec)) {
      a.insert(a.end(), {"--ro-bind", top, top});
    }
  }
  a.insert(a.end(), {"--proc",
                     "/proc",
                     "--dev",
                     "/dev",
                     "--tmpfs",
                     "/tmp",
                     "--bind",
                     dir,
                     "/sandbox",
                     "--remount-ro",
                     "/",
                     "--chdir",
                     "/sandbox",
                     "--uid",
                     "65534",
                     "--gid",
                     "65534",
                     "--hostname",
                     "sandbox",
                     "--clearenv",
                     "--setenv",
                     "PATH",
                     "/usr/bin:/bin",
                     "--setenv",
                     "HOME",
                     "/sandbox",
                     "--setenv",
                     "LANG",
                     "C.UTF-8",
                     "--info-fd",
                     std::to_string(kInfoFd),
                     "--",
                     kPython,
                     "-I",
                     "-B",
                     "program.py"});
  return a;
}

std::string drain(int fd) {
  std::string s;
  char buf[512];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) s.append(buf, size_t(n));
  return s;
}

}  // namespace

std::vector<std::string> sandbox_gaps() {
  static const std::vector<std::string> gaps = [] {
    std::vector<std::string> g;
    std::string why;
    if (!Cgroup::create(64 << 20, 8, &why))
      g.push_back("no cgroup (" + why +
                  "): the memory limit holds per process only, and the number of "
                  "processes is not limited");
    return g;
  }();
  return gaps;
}

SandboxResult run_python(const std::string& program, const SandboxLimits& limits) {
  if (access(kBwrap, X_OK) != 0 || access(kPython, X_OK) != 0)
    fail(ErrorCode::unsupported, std::string("sandbox: needs ") + kBwrap + " and " + kPython +
                                     " (Debian's bubblewrap and python3; ./scripts/setup.sh installs them)");
  // Goes on every way out, a failed set-up included, whatever the program left in it.
  const ScratchDir scratch("llmz-sandbox");
  const fs::path& dir = scratch.path;
  const std::string sentinel = random_sentinel();
  // The sentinel is written to the file descriptor itself: redefining print or sys.stdout does not stop it.
  // What the program printed is flushed first, or it would land after the sentinel (stdout is a file,
  // so Python buffers it until exit) and a program that prints would never count as finished.
  std::ofstream(dir / "program.py", std::ios::binary)
      << program << "\n\n__import__('sys').stdout.flush()\n__import__('os').write(1, b'" << sentinel << "\\n')\n";
  const std::string out_s = (dir / "stdout.txt").string(), err_s = (dir / "stderr.txt").string();
  std::string why_no_cgroup;
  auto cgroup = Cgroup::create(limits.memory_bytes, limits.max_processes, &why_no_cgroup);

  const auto command = bwrap_command(dir.string());
  std::vector<char*> argv;
  for (const auto& s : command) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  std::vector<const char*> procs_files;
  if (cgroup)
    for (const auto& f : cgroup->procs_files()) procs_files.push_back(f.c_str());

  Pipe status_pipe, info_pipe;
  if (pipe2(status_pipe.fd, O_CLOEXEC) != 0 || pipe2(info_pipe.fd, O_CLOEXEC) != 0)
    fail(ErrorCode::io, "cannot make a pipe for the sandbox: " + std::string(strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) fail(ErrorCode::io, "cannot fork the sandbox: " + std::string(strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0);
    // Join the group before exec: every process the program starts is counted in it.
    char digits[16], *end = digits + sizeof digits, *d = end;
    for (pid_t self = getpid(); self > 0; self /= 10) *--d = char('0' + self % 10);
    for (const char* procs : procs_files) {
      const int fd = open(procs, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write(fd, d, size_t(end - d)) != end - d)
        child_fail(status_pipe.fd[1], "cannot join the sandbox's cgroup");
      close(fd);
    }
    limit(RLIMIT_AS, limits.memory_bytes);
    limit(RLIMIT_CPU, limits.cpu_seconds);
    limit(RLIMIT_FSIZE, limits.file_bytes);
    limit(RLIMIT_CORE, 0);
    const int in = open("/dev/null", O_RDONLY), out = open(out_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600),
              err = open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) child_fail(status_pipe.fd[1], "cannot redirect the sandbox's input and output");
    dup2(in, 0), dup2(out, 1), dup2(err, 2);
    if (dup2(info_pipe.fd[1], kInfoFd) < 0 || fcntl(kInfoFd, F_SETFD, 0) != 0)
      child_fail(status_pipe.fd[1], "cannot pass a descriptor to bubblewrap");
    // Nothing else of this process (model files, server sockets) reaches the program: every other
    // descriptor closes at exec (the status pipe already does, and reports until then).
    if (close_range(kInfoFd + 1, ~0u, CLOSE_RANGE_CLOEXEC) != 0)
      for (int fd = kInfoFd + 1; fd < 4096; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    execv(kBwrap, argv.data());
    child_fail(status_pipe.fd[1], "cannot run bubblewrap");
  }
  status_pipe.close_end(1);
  info_pipe.close_end(1);
  std::string setup_error = drain(status_pipe.fd[0]);  // EOF at exec, or the child's failure
  status_pipe.close_end(0);

  SandboxResult r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(limits.wall_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      kill(pid, SIGKILL);  // bubblewrap's init dies with it (--die-with-parent), and with it the namespace
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(-pid, SIGKILL);
  if (cgroup) {
    cgroup->kill_all();
    r.memory_limit = cgroup->memory_limit_hit();
  }
  fcntl(info_pipe.fd[0], F_SETFL, O_NONBLOCK);
  const bool started = !drain(info_pipe.fd[0]).empty();
  info_pipe.close_end(0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  if (started && r.exit_code > 128 && r.exit_code < 128 + 65)
    r.signal = r.exit_code - 128, r.exit_code = -1;  // bubblewrap's report of a signal
  const std::string out = tail_of(out_s, sentinel.size() + 1);
  r.finished = out == sentinel + "\n";
  r.passed = !r.timed_out && r.exit_code == 0 && r.finished;
  r.error = tail_of(err_s, 600);
  if (setup_error.empty() && !started && !r.timed_out) setup_error = "bubblewrap could not start: " + r.error;
  if (!setup_error.empty()) {
    const size_t at = setup_error.rfind(": errno ");  // the child's number, named here
    if (at != std::string::npos)
      setup_error = setup_error.substr(0, at) + ": " + strerror(std::atoi(setup_error.c_str() + at + 8));
    fail(ErrorCode::unsupported, "sandbox: " + setup_error);
  }
  return r;
}

}  // namespace llmz::eval
