#include "eval/run_problems.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace llmz::eval {

void run_problems(const std::vector<Problem>& problems, ResultsFile& results, uint32_t jobs,
                  const std::function<SolveProblem()>& make_worker,
                  const std::function<void(size_t, size_t)>& progress) {
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
  const size_t to_do =
      size_t(std::count_if(problems.begin(), problems.end(), [&](const Problem& p) { return !results.done(p.id); }));
  {
    std::vector<std::jthread> threads;  // joined when the block ends, also if starting one throws
    for (size_t k = 1; k < std::min<size_t>(jobs, to_do); k++) threads.emplace_back(job);
    job();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace llmz::eval
