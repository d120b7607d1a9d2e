// A one-line progress bar on stderr with speed and ETA, shown only when stderr is a terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace llmz::cli {

class ProgressBar {
 public:
  // unit: what done and total count ("" = bytes, shown as KB/s, MB/s...).
  ProgressBar(std::string label, bool enabled, std::string unit = "");
  ~ProgressBar();
  // note: shown after the ETA (e.g. a running loss).
  void update(uint64_t done, uint64_t total, const std::string& note = "");

 private:
  std::string label_, unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string human_bytes(double bytes);

}  // namespace llmz::cli
