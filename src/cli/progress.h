// Progress on stderr with speed and ETA: a one-line bar on a terminal; for logs of long runs, a plain line
// a minute when stderr is not a terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace llmz::cli {

enum class Progress { none, bar, bar_or_log };  // bar_or_log: lines in a log when stderr is not a terminal

class ProgressBar {
 public:
  // unit: what done and total count ("" = bytes, shown as KB/s, MB/s...).
  ProgressBar(std::string label, Progress show, std::string unit = "");
  ~ProgressBar();
  // note: shown after the ETA (e.g. a running loss).
  void update(uint64_t done, uint64_t total, const std::string& note = "");

 private:
  std::string label_, unit_;
  Progress show_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string human_bytes(double bytes);

}  // namespace llmz::cli
