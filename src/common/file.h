// Whole-file reading for the library, with one clear error when the file cannot be read; and
// scratch folders, removed whatever was left in them.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace llmz {

// The bytes of the regular file `path`; otherwise fails (ErrorCode::io) with "PATH: cannot read the WHAT".
std::string read_file(const std::string& path, std::string_view what);

// Removes path and everything below it, giving owner rights back to folders that lost them (a
// program run in a scratch folder may leave one at mode 000); quietly does what it can.
void remove_tree(const std::filesystem::path& path);

// A fresh folder PREFIX-XXXXXX in the temporary directory ($TMPDIR), removed with all it holds
// (remove_tree) when the object goes, whatever happened. Fails (ErrorCode::io) saying where and why.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir() { remove_tree(path); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path path;
};

}  // namespace llmz
