// Record archives from the command line: `llmz pack|unpack|merge` (a command group, command_group.h),
// and what `llmz info` and `llmz test` do with a .llmza file.
#pragma once
#include <string>

#include "llmz/llmz.h"

namespace llmz::cli {

bool is_archive(const std::string& path);  // starts with the archive magic
void print_archive_info(const std::string& path, bool json);
// Decodes every record (checks every entry's checksum when the prompts are not stored); each damaged
// one is reported by number on stderr, then the count fails.
void test_archive(const std::string& path, const Model& model, bool quiet);

}  // namespace llmz::cli
