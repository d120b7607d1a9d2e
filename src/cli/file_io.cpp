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
#include "common/temp_file.h"

namespace llmz::cli {

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

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
  TempFile out(path, force);
  out.write(bytes);
  // Like gzip: the output takes the input file's permissions and times.
  struct stat from {};
  const bool copy = !like.empty() && like != "-" && stat(like.c_str(), &from) == 0 && S_ISREG(from.st_mode);
  if (copy) {
    const struct timespec times[2] = {from.st_atim, from.st_mtim};
    futimens(out.fd(), times);  // best effort, as gzip: a filesystem without times is not an error
  }
  out.commit(copy ? int(from.st_mode & 07777) : -1);
}

}  // namespace llmz::cli
