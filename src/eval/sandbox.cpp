#include "eval/sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "common/file.h"

namespace llmz::eval {

namespace {

// In the child between fork and exec only async-signal-safe calls are allowed: report a set-up
// failure through the pipe and leave.
[[noreturn]] void child_fail(int pipe_fd, const char* what) {
  int code = errno;  // as a number: strerror is not async-signal-safe
  char digits[16], *end = digits + sizeof digits, *d = end;
  do *--d = char('0' + code % 10); while ((code /= 10) > 0);
  (void)!write(pipe_fd, what, strlen(what));
  (void)!write(pipe_fd, ": errno ", 8);
  (void)!write(pipe_fd, d, size_t(end - d));
  _exit(126);
}

void limit(int resource, uint64_t value) {
  const rlimit r{rlim_t(value), rlim_t(value)};
  setrlimit(resource, &r);
}

std::string tail_of(const std::filesystem::path& file, size_t bytes) {
  const std::string s = read_file(file, "program output");
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

}  // namespace

SandboxResult run_python(const std::string& program, const SandboxLimits& limits) {
  std::string dir_template = (std::filesystem::temp_directory_path() / "llmz-sandbox-XXXXXX").string();
  if (!mkdtemp(dir_template.data())) fail(ErrorCode::io, "cannot make a sandbox directory: " + std::string(strerror(errno)));
  const std::filesystem::path dir = dir_template;
  std::ofstream(dir / "program.py", std::ios::binary) << program;
  const std::string dir_s = dir.string(), err_s = (dir / "stderr.txt").string();

  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) fail(ErrorCode::io, "cannot make a pipe for the sandbox");
  const pid_t pid = fork();
  if (pid < 0) fail(ErrorCode::io, "cannot fork the sandbox: " + std::string(strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0);
    // A new network namespace has only a down loopback: no connection can leave it.
    if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
      child_fail(status_pipe[1], "cannot isolate the network (unshare)");
    if (chdir(dir_s.c_str()) != 0) child_fail(status_pipe[1], "cannot enter the sandbox directory");
    limit(RLIMIT_AS, limits.memory_bytes);
    limit(RLIMIT_CPU, limits.cpu_seconds);
    limit(RLIMIT_FSIZE, limits.file_bytes);
    limit(RLIMIT_CORE, 0);
    const int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY),
              err = open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) child_fail(status_pipe[1], "cannot redirect the sandbox's input and output");
    dup2(in, 0), dup2(out, 1), dup2(err, 2);
    execlp("python3", "python3", "-I", "-B", "program.py", static_cast<char*>(nullptr));
    child_fail(status_pipe[1], "cannot run python3");
  }
  close(status_pipe[1]);
  std::string setup_error;
  char buf[256];
  for (ssize_t n; (n = read(status_pipe[0], buf, sizeof buf)) > 0;) setup_error.append(buf, size_t(n));
  close(status_pipe[0]);

  SandboxResult r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(limits.wall_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(-pid, SIGKILL);  // whatever the program started in the background goes too
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.passed = !r.timed_out && r.exit_code == 0;
  r.error = tail_of(err_s, 600);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (!setup_error.empty()) {
    const size_t at = setup_error.rfind(": errno ");  // the child's number, named here
    if (at != std::string::npos) setup_error = setup_error.substr(0, at) + ": " + strerror(std::atoi(setup_error.c_str() + at + 8));
    fail(ErrorCode::unsupported, "sandbox: " + setup_error);
  }
  return r;
}

}  // namespace llmz::eval
