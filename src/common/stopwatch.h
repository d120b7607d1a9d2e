// Wall time since a start, for the seconds that results, reports and thread choice record.
#pragma once
#include <chrono>

namespace llmz {

class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_ = Clock::now();
};

}  // namespace llmz
