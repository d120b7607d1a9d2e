// Whole-file reading for the library, with one clear error when the file cannot be read; and
// removal of a folder whatever was left in it.
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

}  // namespace llmz
