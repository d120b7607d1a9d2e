// The loop every eval shares: each problem not yet in the results file is solved and its row
// appended as soon as it is done. With several jobs, problems are shared out among threads, each with
// its own worker (its own llama.cpp contexts over the same loaded models): text generation makes
// one-token calls that keep one core busy, so two jobs on two cores finish about twice as fast, and
// every row is what one job alone would write (design §4: logits do not depend on the schedule).
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "eval/results_file.h"
#include "llmz/eval.h"

namespace llmz::eval {

using SolveProblem = std::function<nlohmann::json(const Problem&)>;

// make_worker() is called once per job, on that job's thread. progress(done, total) after each
// problem. The first error stops the other jobs after their current problem and is rethrown.
void run_problems(const std::vector<Problem>& problems, ResultsFile& results, uint32_t jobs,
                  const std::function<SolveProblem()>& make_worker,
                  const std::function<void(size_t, size_t)>& progress);

}  // namespace llmz::eval
