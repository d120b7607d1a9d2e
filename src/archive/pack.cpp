// Packing a JSON Lines corpus: every line checked first (a bad one fails before any coding, with its
// line number), then records coded side by side by `jobs` threads and written in their order.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "archive/entry.h"
#include "common/error.h"

namespace llmz::archive {

namespace {

struct Line {
  uint64_t number;  // in the file, from 1
  std::string text;
};

std::vector<Line> read_lines(const std::string& path, const PackOptions& o, uint64_t& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read the records");
  std::vector<Line> lines;
  bytes = 0;
  uint64_t number = 0;
  for (std::string text; std::getline(in, text);) {
    number++;
    bytes += text.size() + 1;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    detail::split_record(text, o, path + ":" + std::to_string(number) + ": ");  // fails early on a bad line
    lines.push_back({number, std::move(text)});
  }
  if (in.bad()) fail(ErrorCode::io, path + ": read error");
  if (lines.empty()) fail(ErrorCode::usage, path + ": no records");
  return lines;
}

}  // namespace

std::vector<uint8_t> code_record(const Model& model, const std::string& json_line, const PackOptions& options) {
  return detail::encode_entry(model, detail::split_record(json_line, options, ""), options);
}

void pack(const Model& model, const std::string& jsonl_path, const std::string& out_path, const PackOptions& options,
          const ProgressFn& progress) {
  if (options.jobs < 1) fail(ErrorCode::usage, "jobs must be at least 1");
  uint64_t total_bytes = 0;
  const std::vector<Line> lines = read_lines(jsonl_path, options, total_bytes);
  Writer writer(out_path, model, options);
  // A batch at a time: the jobs share it out, then its entries are written in order.
  const size_t batch = std::max<size_t>(64, 4 * options.jobs);
  uint64_t done_bytes = 0;
  for (size_t start = 0; start < lines.size(); start += batch) {
    const size_t end = std::min(lines.size(), start + batch);
    std::vector<std::vector<uint8_t>> entries(end - start);
    std::atomic<size_t> next{start};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
      for (size_t i; (i = next++) < end;) {
        try {
          entries[i - start] = code_record(model, lines[i].text, options);
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
          next = end;
        }
      }
    };
    std::vector<std::thread> threads;
    for (uint32_t j = 1; j < options.jobs; j++) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const Error& e) {
        fail(e.code(), jsonl_path + ": " + e.what());
      }
    }
    for (size_t i = start; i < end; i++) {
      writer.add(entries[i - start]);
      done_bytes += lines[i].text.size() + 1;
    }
    if (progress) progress(std::min(done_bytes, total_bytes), total_bytes);
  }
  writer.finish();
}

}  // namespace llmz::archive
