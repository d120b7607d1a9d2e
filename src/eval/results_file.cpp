#include "eval/results_file.h"

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/file.h"

namespace llmz::eval {

namespace {

// The complete lines of the file (each ends with '\n') and the length they take.
std::vector<std::string> complete_lines(const std::string& path, size_t& length) {
  const std::string text = read_file(path, "results file");
  const size_t last = text.rfind('\n');
  length = last == std::string::npos ? 0 : last + 1;
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < length;) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

std::vector<nlohmann::json> parse_rows(const std::string& path, const std::vector<std::string>& lines) {
  std::vector<nlohmann::json> rows;
  for (size_t i = 0; i < lines.size(); i++) {
    if (lines[i].empty()) continue;
    try {
      rows.push_back(nlohmann::json::parse(lines[i]));
    } catch (const std::exception&) {
      fail(ErrorCode::corrupt, path + ":" + std::to_string(i + 1) + ": not JSON");
    }
  }
  return rows;
}

}  // namespace

ResultsFile::ResultsFile(const std::string& path, bool resume, const nlohmann::json& settings) : path_(path) {
  if (std::filesystem::exists(path)) {
    if (!resume) fail(ErrorCode::io, path + ": already exists (use --resume to continue it)");
    size_t length = 0;
    const auto rows = parse_rows(path, complete_lines(path, length));
    if (length < std::filesystem::file_size(path)) std::filesystem::resize_file(path, length);
    for (const auto& row : rows) {
      if (!settings.is_null() && row.value("settings", nlohmann::json()) != settings)
        fail(ErrorCode::usage, path + ": made with other models or settings; use another --results");
      done_.insert(row.value("id", ""));
    }
  }
  std::filesystem::create_directories(std::filesystem::absolute(path).parent_path());
  out_.open(path, std::ios::app | std::ios::binary);
  if (!out_) fail(ErrorCode::io, path + ": cannot write");
}

void ResultsFile::append(const nlohmann::json& row) {
  out_ << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n" << std::flush;
  if (!out_) fail(ErrorCode::io, path_ + ": cannot write");
  done_.insert(row.value("id", ""));
}

std::vector<nlohmann::json> read_results(const std::string& path) {
  size_t length = 0;
  auto rows = parse_rows(path, complete_lines(path, length));
  if (rows.empty()) fail(ErrorCode::corrupt, path + ": no results yet");
  // Jobs append rows as they finish: in id order, summaries do not depend on which finished first.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.value("id", "") < b.value("id", ""); });
  return rows;
}

void write_results(TempFile& out, const std::vector<nlohmann::json>& rows) {
  for (const auto& row : rows) {
    const std::string line = row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    out.write({reinterpret_cast<const uint8_t*>(line.data()), line.size()});
  }
}

}  // namespace llmz::eval
