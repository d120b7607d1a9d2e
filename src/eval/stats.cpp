#include "eval/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>

namespace llmz::eval {

double mean_at(const std::vector<double>& values, std::span<const size_t> idx) {
  if (idx.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (size_t i : idx) sum += values[i];
  return sum / double(idx.size());
}

double gap_recovered(double method, double baseline, double target) {
  if (!(target > baseline)) return std::numeric_limits<double>::quiet_NaN();
  return (method - baseline) / (target - baseline);
}

Interval bootstrap(size_t n, const std::function<double(std::span<const size_t>)>& statistic, uint32_t resamples,
                   uint64_t seed) {
  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  Interval r;
  r.value = statistic(all);
  if (n == 0) return r;
  std::mt19937_64 rng(seed);
  std::vector<double> stats;
  std::vector<size_t> idx(n);
  for (uint32_t k = 0; k < resamples; k++) {
    for (auto& i : idx) i = size_t(rng() % n);
    const double s = statistic(idx);
    if (std::isfinite(s)) stats.push_back(s);
  }
  r.undefined = 1.0 - double(stats.size()) / resamples;
  if (stats.empty()) {
    r.low = r.high = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  std::sort(stats.begin(), stats.end());
  auto at = [&](double q) { return stats[std::min(stats.size() - 1, size_t(q * double(stats.size())))]; };
  r.low = at(0.025);
  r.high = at(0.975);
  return r;
}

nlohmann::json to_json(const Interval& i) {
  return {{"value", i.value}, {"low", i.low}, {"high", i.high}, {"undefined", i.undefined}};
}

std::string interval_text(const nlohmann::json& i, double scale) {
  auto missing = [](const nlohmann::json& v) { return v.is_null() || std::isnan(v.get<double>()); };
  if (missing(i["value"])) return "undefined";
  char buf[96];
  if (missing(i["low"]))
    snprintf(buf, sizeof buf, "%.1f", scale * i["value"].get<double>());
  else
    snprintf(buf, sizeof buf, "%.1f [%.1f, %.1f]", scale * i["value"].get<double>(), scale * i["low"].get<double>(),
             scale * i["high"].get<double>());
  return buf;
}

std::vector<std::pair<int, std::string>> sorted_ns(const nlohmann::json& config) {
  std::vector<std::pair<int, std::string>> ns;
  for (const auto& [nq, ignored] : config["by_n"].items()) ns.push_back({std::stoi(nq), nq});
  std::sort(ns.begin(), ns.end());
  return ns;
}

}  // namespace llmz::eval
