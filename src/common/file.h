// Whole-file reading for the library, with one clear error when the file cannot be read.
#pragma once
#include <string>
#include <string_view>

namespace llmz {

// The bytes of the regular file `path`; otherwise fails (ErrorCode::io) with "PATH: cannot read the WHAT".
std::string read_file(const std::string& path, std::string_view what);

}  // namespace llmz
