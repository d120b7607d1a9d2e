#include "common/temp_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "common/error.h"

namespace llmz {

namespace {

// The temporary file in progress, for the signal handler (async-signal-safe: a fixed buffer).
char g_temp_path[4096] = {0};

void on_signal(int sig) {
  if (g_temp_path[0]) unlink(g_temp_path);
  signal(sig, SIG_DFL);
  raise(sig);
}

std::string errno_text() { return std::strerror(errno); }

mode_t default_mode() {
  const mode_t m = umask(0);
  umask(m);
  return 0644 & ~m;
}

}  // namespace

void install_signal_cleanup() {
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
}

TempFile::TempFile(std::string path, bool overwrite) : path_(std::move(path)), temp_(path_ + ".tmpXXXXXX") {
  struct stat st {};
  if (!overwrite && lstat(path_.c_str(), &st) == 0)
    fail(ErrorCode::io, path_ + ": already exists (use -f to overwrite)");
  if (temp_.size() >= sizeof g_temp_path) fail(ErrorCode::io, path_ + ": path too long");
  fd_ = mkstemp(temp_.data());
  if (fd_ < 0) fail(ErrorCode::io, "cannot create " + temp_ + ": " + errno_text());
  std::memcpy(g_temp_path, temp_.c_str(), temp_.size() + 1);
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) {
    unlink(temp_.c_str());
    g_temp_path[0] = 0;
  }
}

void write_all(int fd, std::span<const uint8_t> bytes, const std::string& what) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(ErrorCode::io, "cannot write " + what + ": " + errno_text());
    done += size_t(n);
  }
}

void TempFile::write(std::span<const uint8_t> bytes) { write_all(fd_, bytes, path_); }

void TempFile::commit(int mode) {
  if (fchmod(fd_, mode < 0 ? default_mode() : mode_t(mode)) != 0 || fsync(fd_) != 0)
    fail(ErrorCode::io, "cannot write " + path_ + ": " + errno_text());
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(ErrorCode::io, "cannot write " + path_ + ": " + errno_text());
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    fail(ErrorCode::io, "cannot create " + path_ + ": " + errno_text());
  temp_.clear();
  g_temp_path[0] = 0;
}

}  // namespace llmz
