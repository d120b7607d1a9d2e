// Writing a file the way gzip/xz/zstd do: into a temporary file beside it, renamed into place only
// when complete, so that a failure, an exception or Ctrl-C never leaves a partial output behind.
#pragma once
#include <span>
#include <string>

namespace llmz {

class TempFile {
 public:
  // Refuses an existing `path` unless overwrite (ErrorCode::io).
  TempFile(std::string path, bool overwrite);
  ~TempFile();  // removes the temporary file unless committed
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(std::span<const uint8_t> bytes);
  int fd() const { return fd_; }
  // Flushes to disk and renames into place; mode: permission bits (default 0644 less the umask).
  void commit(int mode = -1);

 private:
  std::string path_, temp_;
  int fd_ = -1;
};

// Writes all of bytes to fd, again after short writes and EINTR; fails (ErrorCode::io) naming `what`.
void write_all(int fd, std::span<const uint8_t> bytes, const std::string& what);

// SIGINT, SIGTERM and SIGHUP remove the temporary file in progress before the process ends.
void install_signal_cleanup();

}  // namespace llmz
