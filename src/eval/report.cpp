#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "eval/stats.h"
#include "eval/svg_chart.h"
#include "llmz/eval.h"

namespace llmz::eval {

namespace {

// A model's name cut to its first three words ("Smollm2 135M 8k Lc100K Mix1 Ep2" -> "Smollm2 135M 8k"):
// chart legends have room for little more.
std::string short_name(const std::string& name) {
  size_t end = 0;
  for (int words = 0; words < 3 && end != std::string::npos; words++) end = name.find(' ', end + (words > 0));
  return name.substr(0, end);
}

namespace fs = std::filesystem;

bool is_qa_run(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::io, path + ": cannot read");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) {
      try {
        const auto row = nlohmann::json::parse(line);
        if (row.contains("slm")) return true;
        if (row.contains("shortest_of_n")) return false;  // every rewrite row, whichever originals it holds
      } catch (const std::exception&) {
      }
      break;
    }
  fail(ErrorCode::corrupt, path + ": not a results file of `llmz eval qa` or `llmz eval rewrite`");
}

// What a run is called in the report: its path below the report's folder without the extension
// ("qwen/rewrite-gsm8k"), so that runs of one name in two folders stay apart; else its file's stem.
std::string run_label(const std::string& run, const std::string& out_dir) {
  const fs::path relative = fs::weakly_canonical(run).lexically_relative(fs::weakly_canonical(out_dir));
  if (relative.empty() || *relative.begin() == "..") return fs::path(run).stem().string();
  return (relative.parent_path() / relative.stem()).string();
}

std::string seconds_label(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

void write_file(const fs::path& path, const std::string& text, std::vector<std::string>& written) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) fail(ErrorCode::io, path.string() + ": cannot write");
  written.push_back(path.string());
}

}  // namespace

std::vector<std::string> write_report(const std::vector<std::string>& runs, const std::string& out_dir) {
  if (runs.empty()) fail(ErrorCode::usage, "report: name at least one results file");
  fs::create_directories(out_dir);
  std::vector<std::string> written;
  std::string md = "# Evaluation report\n\nMade by `llmz report` from: ";
  for (const auto& r : runs) md += "`" + fs::path(r).filename().string() + "` ";
  md +=
      "\n\n## Bits sent against quality, every method\n\n![frontier](frontier.svg)\n\n"
      "Quality is the share of problems answered right: the SLM's revised answer for question asking, the "
      "solver's answer from the text sent for rewriting and lossless coding. Labels give N and the compute per "
      "problem (wall seconds on the machine that ran it) where the run recorded it. Bits are the coded payload for "
      "lossless coding and rewriting, and the answers' information content for question asking.\n";
  Chart frontier{
      "Bits sent per problem against quality", "bits sent per problem", "problems right (%)", true, {}, {}, true};

  std::set<std::string> labels = {"frontier", "report"};  // the report's own files
  for (const auto& run : runs) {
    std::string stem = run_label(run, out_dir);
    for (int k = 2; !labels.insert(stem).second; k++) stem = run_label(run, out_dir) + "-" + std::to_string(k);
    if (is_qa_run(run)) {
      const auto s = summarize_qa_eval(run);
      const std::string bench = s["settings"].value("benchmark", "?");
      const std::string pair = short_name(s["settings"]["slm"].value("name", "?")) + " / " +
                               short_name(s["settings"]["llm"].value("name", "?"));
      Chart c{"Question asking on " + bench + " (" + std::to_string(s["problems"].get<int>()) + " problems)",
              "answer bits per problem (information content)",
              "problems right (%)",
              false,
              {},
              {},
              true};
      c.lines.push_back({"SLM alone", 100 * s["slm"]["accuracy"]["value"].get<double>()});
      c.lines.push_back({"LLM alone", 100 * s["llm"]["accuracy"]["value"].get<double>()});
      for (const auto& [config, cj] : s["configs"].items()) {
        ChartSeries series{config, {}, true}, overall{config + " (" + bench + ", " + pair + ")", {}, true};
        for (const auto& [k, nq] : sorted_ns(cj)) {
          const auto& b = cj["by_n"][nq];
          const double bits = b["mean_cost_bits"].get<double>(), acc = 100 * b["accuracy"]["value"].get<double>();
          series.points.push_back({bits, acc, "N=" + nq});
          overall.points.push_back({bits, acc, "N=" + nq + ", " + seconds_label(cj["mean_seconds"].get<double>())});
        }
        c.series.push_back(series);
        frontier.series.push_back(overall);
      }
      write_file(fs::path(out_dir) / (stem + ".svg"), render_svg(c), written);
      md += "\n## " + stem + "\n\n![" + stem + "](" + stem + ".svg)\n\n" + qa_eval_markdown(s);
    } else {
      const auto s = summarize_rewrite_eval(run);
      const std::string bench = s.value("benchmark", "?");
      // (no sources: a run whose rows hold no original yet; a local, which the loop's items() refer to)
      const nlohmann::json sources = s.value("sources", nlohmann::json::object());
      for (const auto& [source, methods] : sources.items()) {
        ChartSeries series{"rewrite, " + source + " solutions (" + bench + ", writer " +
                               short_name(s["models"].value("writer", "?")) + ", coder " +
                               short_name(s["models"].value("coder", "?")) +
                               (s["settings"].contains("solver_view") ? "" : ", answer visible") + ")",
                           {},
                           false};
        for (const auto& [method, v] : methods.items())
          series.points.push_back(
              {v["mean_bits"].get<double>(), 100 * v["solver_accuracy"].get<double>(),
               v.contains("mean_seconds") ? method + ", " + seconds_label(v["mean_seconds"].get<double>()) : method});
        frontier.series.push_back(series);
      }
      md += "\n## " + stem + "\n\n" + rewrite_eval_markdown(s);
    }
  }
  write_file(fs::path(out_dir) / "frontier.svg", render_svg(frontier), written);
  write_file(fs::path(out_dir) / "report.md", md, written);
  return written;
}

}  // namespace llmz::eval
