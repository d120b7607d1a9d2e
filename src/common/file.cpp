#include "common/file.h"

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

}  // namespace llmz
