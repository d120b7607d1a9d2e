// File handling with the habits of gzip/xz/zstd: read a whole input (file or stdin), and write an
// output through a temporary file renamed into place, so that a failure or Ctrl-C never leaves a
// partial output behind.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace llmz::cli {

std::vector<uint8_t> read_input(const std::string& path);  // "-" = stdin

// Writes bytes to path ("-" = stdout). Refuses to replace an existing file unless force. With `like`
// (an input file), the output gets its permissions and times.
void write_output(const std::string& path, std::span<const uint8_t> bytes, bool force, const std::string& like = "");

}  // namespace llmz::cli
