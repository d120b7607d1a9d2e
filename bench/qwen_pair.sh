#!/usr/bin/env bash
# Question asking on the Qwen2.5-Coder pair (0.5B SLM, 1.5B LLM), resumable: rerun the same command
# after an interruption and it continues where it stopped. Results: bench/results/qwen/.
#
#   bench/qwen_pair.sh baselines [BENCH...]   SLM and LLM alone, 100 problems each (which benchmarks separate them)
#   bench/qwen_pair.sh core BENCH...          10 sequential questions, own-reference oracle and the control, 100 problems
#   bench/qwen_pair.sh candidates BENCH...    candidates mode at N 5 and 10 (sampled answers, most frequent first), 100 problems;
#                                             on multiple choice the choices, N 1, 2, 5 and 10, gold-reference beside;
#                                             on code the oracles run the programs (--run-programs), gold-reference beside
#   bench/qwen_pair.sh rewrite [BENCH...]     lossy rewrite of the dataset's solutions (default GSM8K, then MBPP), 100 problems:
#                                             the 1.5B writes and solves, the 0.5B codes;
#                                             greedy, best of 4, checked (the 1.5B checks for the sender) and shortest of 4
#                                             (then the same texts coded by SmolLM2 for reference: eval recode)
#   bench/qwen_pair.sh sequential BENCH...    free revision (sequential questions, N 1, 2, 5), own- and gold-reference and QA+, 100
#                                             problems: the SLM revises from the transcript as it likes, beside candidates mode
#   bench/qwen_pair.sh batch BENCH...         the paper's setting: 10 questions written at once (free revision), own-reference
#                                             and the control, 100 problems
#   bench/qwen_pair.sh full BENCH...          all configurations, N 1,2,5,10 sequential and 10 batch, 200 problems
#
# `full` took 25 minutes for its first GSM8K problem here (2 cores shared with other work): 200 problems
# would take days. `core` runs the configuration the targets are stated in (own-reference at 10 or
# fewer answer bits, beside the self-refinement control) at a fraction of the cost.
#
# JOBS (default 1) problems side by side, one thread each; LLMZ (default build/llmz) the binary: copy it
# elsewhere for a run of hours, so that rebuilding does not change it under the run.
set -euo pipefail
cd "$(dirname "$0")/.."
LLMZ=${LLMZ:-build/llmz}
JOBS=${JOBS:-1}
what=${1:?usage: bench/qwen_pair.sh baselines|core|candidates|sequential|rewrite|batch|full [BENCH...]}
shift
out=bench/results/qwen
mkdir -p "$out"
common=(--slm qwen0.5b --llm qwen1.5b --max-tokens 512 -j "$JOBS" -T 1 --resume -q)
case $what in
  baselines)
    for b in "${@:-gsm8k mbpp arc-easy svamp humaneval math500 arc-challenge boolq}"; do
      for one in $b; do
        "$LLMZ" eval qa "${common[@]}" --benchmark "$one" --limit 100 --baselines-only --results "$out/qa-$one-baselines.jsonl"
      done
    done ;;
  core)
    (($#)) || { echo "name the benchmarks for the core runs" >&2; exit 1; }
    for b in "$@"; do
      "$LLMZ" eval qa "${common[@]}" --benchmark "$b" --limit 100 -n 10 --oracle own-reference --no-qa-plus \
        --results "$out/qa-$b-core.jsonl"
    done ;;
  candidates)
    (($#)) || { echo "name the benchmarks for the candidates runs" >&2; exit 1; }
    for b in "$@"; do
      # Multiple choice asks about the choices themselves (no samples, at most one question fewer
      # than there are choices), so every N and the gold-reference oracle beside add little. On
      # code the LLM's words said Yes to nearly every program (qa-mbpp-candidates.jsonl, 16 problems):
      # its oracles run the programs instead, which costs no LLM time per question.
      results=$out/qa-$b-candidates.jsonl
      case $b in
        arc-easy|arc-challenge|boolq|openbookqa|piqa) these=(-n 1,2,5,10 --oracle own-reference,gold-reference) ;;
        mbpp|mbpp-validation|humaneval)
          these=(-n 5,10 --oracle own-reference,gold-reference --run-programs)
          results=$out/qa-$b-candidates-run.jsonl ;;
        *) these=(-n 5,10 --oracle own-reference) ;;
      esac
      "$LLMZ" eval qa "${common[@]}" --benchmark "$b" --limit 100 "${these[@]}" --mode candidates --no-qa-plus \
        --results "$results"
    done ;;
  sequential)
    (($#)) || { echo "name the benchmarks for the sequential runs" >&2; exit 1; }
    for b in "$@"; do
      # On multiple choice the questions name each choice in turn, all of them by N = 4 (N = 10 asks no more).
      # QA+ beside: the LLM picks the questions (an upper bound, not deployable).
      "$LLMZ" eval qa "${common[@]}" --benchmark "$b" --limit 100 -n 1,2,5 --oracle own-reference,gold-reference \
        --results "$out/qa-$b-sequential.jsonl"
    done ;;
  rewrite)
    for b in "${@:-gsm8k mbpp}"; do
      for one in $b; do
        # The dataset's solutions only, as in the paper (the writer's own took half of each problem:
        # the first 11 GSM8K rows have them, the 0.5B codes them at about 0.1 bits per byte already).
        "$LLMZ" eval rewrite --benchmark "$one" --limit 100 -N 4 --writer qwen1.5b --solver qwen1.5b --coder qwen0.5b \
          --originals reference --max-tokens 512 -j "$JOBS" -T 1 --resume -q --results "$out/rewrite-$one.jsonl"
        # SmolLM2 as coder for reference: the same texts coded again (minutes, no writing).
        "$LLMZ" eval recode "$out/rewrite-$one.jsonl" --coder smollm2 -T 1 -q -f -o "$out/rewrite-$one-smollm2-coder.jsonl"
      done
    done ;;
  batch|full)
    (($#)) || { echo "name the benchmarks for the $what runs" >&2; exit 1; }
    for b in "$@"; do
      limit=100
      if [[ $what == full ]]; then
        limit=200; [[ $b == humaneval ]] && limit=164
        "$LLMZ" eval qa "${common[@]}" --benchmark "$b" --limit "$limit" -n 1,2,5,10 \
          --oracle own-reference,gold-reference --results "$out/qa-$b.jsonl"
      fi
      "$LLMZ" eval qa "${common[@]}" --benchmark "$b" --limit "$limit" -n 10 --mode batch --no-qa-plus \
        --oracle own-reference --results "$out/qa-$b-batch.jsonl"
    done ;;
  *) echo "usage: bench/qwen_pair.sh baselines|core|candidates|sequential|rewrite|batch|full [BENCH...]" >&2; exit 1 ;;
esac
