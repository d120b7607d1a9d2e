#include "eval/run_problems.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace llmz::eval {

void run_problems(const std::vector<Problem>& problems, ResultsFile& results, uint32_t jobs,
                  const std::function<SolveProblem()>& make_worker, const std::function<void(size_t, size_t)>& progress) {
  std::mutex mutex;  // guards everything below and the results file
  size_t next = 0, done = 0;
  std::exception_ptr error;
  auto job = [&] {
    try {
      const SolveProblem solve = make_worker();
      for (;;) {
        size_t i;
        {
          std::lock_guard lock(mutex);
          while (next < problems.size() && results.done(problems[next].id)) {
            next++;
            if (progress) progress(++done, problems.size());
          }
          if (error || next == problems.size()) return;
          i = next++;
        }
        nlohmann::json row = solve(problems[i]);
        std::lock_guard lock(mutex);
        results.append(row);
        if (progress) progress(++done, problems.size());
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (uint32_t k = 1; k < std::max(jobs, 1u); k++) threads.emplace_back(job);
  job();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace llmz::eval
