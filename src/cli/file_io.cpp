#include "cli/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "common/error.h"

namespace llmz::cli {

namespace {

// The temporary file in progress, for the signal handler (async-signal-safe: a fixed buffer).
char g_temp_path[4096] = {0};

void on_signal(int sig) {
  if (g_temp_path[0]) unlink(g_temp_path);
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, std::span<const uint8_t> bytes, const std::string& what) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(ErrorCode::io, "cannot write " + what + ": " + errno_text());
    done += size_t(n);
  }
}

}  // namespace

void install_signal_cleanup() {
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
}

std::vector<uint8_t> read_input(const std::string& path) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail(ErrorCode::io, errno_text());
  struct stat st {};
  if (!is_stdin && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    fail(ErrorCode::io, "is a directory");
  }
  std::vector<uint8_t> data;
  uint8_t buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = errno_text();
      if (!is_stdin) ::close(fd);
      fail(ErrorCode::io, "read error: " + err);
    }
    if (n == 0) break;
    data.insert(data.end(), buf, buf + n);
  }
  if (!is_stdin) ::close(fd);
  return data;
}

void write_output(const std::string& path, std::span<const uint8_t> bytes, bool force, const std::string& like) {
  if (path == "-") {
    write_all(STDOUT_FILENO, bytes, "stdout");
    return;
  }
  struct stat st {};
  if (!force && lstat(path.c_str(), &st) == 0) fail(ErrorCode::io, path + ": already exists (use -f to overwrite)");

  std::string temp = path + ".tmpXXXXXX";
  if (temp.size() >= sizeof g_temp_path) fail(ErrorCode::io, path + ": path too long");
  int fd = mkstemp(temp.data());
  if (fd < 0) fail(ErrorCode::io, "cannot create " + temp + ": " + errno_text());
  std::memcpy(g_temp_path, temp.c_str(), temp.size() + 1);
  try {
    write_all(fd, bytes, path);
    // Like gzip: the output takes the input file's permissions and times; otherwise 0644 less umask.
    struct stat from {};
    const bool copy = !like.empty() && like != "-" && stat(like.c_str(), &from) == 0 && S_ISREG(from.st_mode);
    const mode_t mode = copy ? from.st_mode & 07777 : 0644 & ~[] {
      mode_t m = umask(0);
      umask(m);
      return m;
    }();
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0) fail(ErrorCode::io, "cannot write " + path + ": " + errno_text());
    if (copy) {
      const struct timespec times[2] = {from.st_atim, from.st_mtim};
      futimens(fd, times);  // best effort, as gzip: a filesystem without times is not an error
    }
    if (::close(fd) != 0) {
      fd = -1;
      fail(ErrorCode::io, "cannot write " + path + ": " + errno_text());
    }
    fd = -1;
    if (std::rename(temp.c_str(), path.c_str()) != 0)
      fail(ErrorCode::io, "cannot create " + path + ": " + errno_text());
  } catch (...) {
    if (fd >= 0) ::close(fd);
    unlink(temp.c_str());
    g_temp_path[0] = 0;
    throw;
  }
  g_temp_path[0] = 0;
}

}  // namespace llmz::cli
