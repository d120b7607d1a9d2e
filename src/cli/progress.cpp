#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace llmz::cli {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) bytes /= 1000, u++;
  char buf[32];
  snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

ProgressBar::ProgressBar(std::string label, Progress show, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      show_(isatty(STDERR_FILENO) ? (show == Progress::none ? show : Progress::bar)
                                  : (show == Progress::bar_or_log ? show : Progress::none)),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_ && show_ == Progress::bar) fprintf(stderr, "\r\033[K");
}

void ProgressBar::update(uint64_t done, uint64_t total, const std::string& note) {
  if (show_ == Progress::none || total == 0) return;
  auto now = std::chrono::steady_clock::now();
  const auto interval = show_ == Progress::bar ? std::chrono::milliseconds(200) : std::chrono::milliseconds(60000);
  if (drawn_ && now - last_ < interval && done < total) return;
  last_ = now;
  drawn_ = true;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? double(done) / seconds : 0;
  double fraction = double(done) / double(total);
  constexpr int kWidth = 24;
  int filled = int(fraction * kWidth);
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, '.');
  char eta[32] = "--:--";
  if (rate > 0) {
    long left = long(double(total - done) / rate);
    snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
  }
  char speed[48];
  if (unit_.empty())
    snprintf(speed, sizeof speed, "%s/s", human_bytes(rate).c_str());
  else
    snprintf(speed, sizeof speed, "%.2f %s/s", rate, unit_.c_str());
  const char* format =
      show_ == Progress::bar ? "\r\033[K%s [%s] %3.0f%% %s ETA %s %s" : "%s [%s] %3.0f%% %s ETA %s %s\n";
  fprintf(stderr, format, label_.c_str(), bar.c_str(), fraction * 100, speed, eta, note.c_str());
  fflush(stderr);
}

}  // namespace llmz::cli
