// Problem-level bootstrap intervals for the eval's accuracies and ratios of accuracy differences.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace llmz::eval {

struct Interval {
  double value = 0;          // the statistic on all problems (NaN when undefined)
  double low = 0, high = 0;  // 2.5th and 97.5th percentiles over resamples where it is defined
  double undefined = 0;      // share of resamples where it was undefined (NaN)
};

// Resamples the n problems with replacement `resamples` times (a fixed generator, so the interval
// repeats exactly) and evaluates `statistic` on each list of problem indices.
Interval bootstrap(size_t n, const std::function<double(std::span<const size_t>)>& statistic, uint32_t resamples = 2000,
                   uint64_t seed = 1);

// Mean of values over the chosen problems.
double mean_at(const std::vector<double>& values, std::span<const size_t> idx);

// Share of the gap between a baseline and a target that a method closes: (m - b) / (t - b); NaN
// when the target is not above the baseline (then there is no gap to recover).
double gap_recovered(double method, double baseline, double target);

// An interval as summaries store it ({value, low, high, undefined}), and as tables print it:
// "12.5 [3.1, 25.0]" (times scale), "undefined" when it has no value.
nlohmann::json to_json(const Interval& i);
std::string interval_text(const nlohmann::json& i, double scale = 100);

// The N of a summarized configuration ({"by_n": {"10": ..., "5": ...}}) in increasing order, with their keys.
std::vector<std::pair<int, std::string>> sorted_ns(const nlohmann::json& config);

}  // namespace llmz::eval
