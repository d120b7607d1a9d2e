#include "qa/candidates.h"

#include <algorithm>
#include <optional>

#include "common/text.h"
#include "qa/answers.h"

namespace llmz::qa {

std::vector<CandidateGroup> group_candidates(const std::vector<std::string>& solutions, CandidateKind kind) {
  std::vector<CandidateGroup> groups;
  for (const auto& solution : solutions) {
    const std::optional<std::string> answer =
        kind == CandidateKind::program ? extract_code(solution) : extract_answer(solution);
    if (!answer || trim(*answer).empty()) continue;
    auto same = [&](const CandidateGroup& g) {
      return kind == CandidateKind::program ? trim(g.answer) == trim(*answer) : same_answer(g.answer, *answer);
    };
    if (auto it = std::find_if(groups.begin(), groups.end(), same); it != groups.end()) {
      it->votes++;
    } else {
      groups.push_back({trim(*answer), solution, 1});
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.votes > b.votes; });
  return groups;
}

}  // namespace llmz::qa
