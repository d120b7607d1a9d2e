// `llmz report`: Markdown tables and SVG charts from eval results (qa-*.jsonl from `llmz eval qa`,
// rewrite-*.jsonl from `llmz eval rewrite`): accuracy against bits for each QA run, and one chart of
// bits sent against quality for every method, with compute per problem beside each point.
#pragma once
#include <string>
#include <vector>

namespace llmz::eval {

// Writes OUT_DIR/report.md and its SVG charts; returns the paths written.
std::vector<std::string> write_report(const std::vector<std::string>& runs, const std::string& out_dir);

}  // namespace llmz::eval
