#include "common/file.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/error.h"

namespace llmz {

std::string read_file(const std::string& path, std::string_view what) {
  std::error_code ec;
  std::ifstream in;
  if (std::filesystem::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read the " + std::string(what));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

namespace {

void open_up(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec)) open_up(it->path());
}

std::filesystem::path make_scratch_dir(std::string_view prefix) {
  const auto temp = std::filesystem::temp_directory_path();
  std::string name = (temp / (std::string(prefix) + "-XXXXXX")).string();
  if (!mkdtemp(name.data()))
    fail(ErrorCode::io, "cannot make a temporary folder in " + temp.string() + ": " + std::strerror(errno));
  return name;
}

}  // namespace

ScratchDir::ScratchDir(std::string_view prefix) : path(make_scratch_dir(prefix)) {}

void remove_tree(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (!ec) return;
  open_up(path);
  std::filesystem::remove_all(path, ec);
}

}  // namespace llmz
