// `llmz info` for .qa files (the question-asking commands are in command_group.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace llmz::cli {

bool is_qa_file(const std::vector<uint8_t>& file);
void print_qa_info(const std::string& name, const std::vector<uint8_t>& file, bool json);

}  // namespace llmz::cli
