#!/usr/bin/env bash
# Regenerates bench/results/report.md, its charts and the frontier of every method from the runs'
# results: the SmolLM2/Gemma runs, then the Qwen pair's (those begun so far; partial runs say how
# many problems they hold). Run it on committed results, not while a run is writing a line.
#
#   bench/report.sh            # LLMZ (default build/llmz) is the binary, OUT (default bench/results) the folder
set -euo pipefail
cd "$(dirname "$0")/.."
LLMZ=${LLMZ:-build/llmz}
r=bench/results
q=$r/qwen
runs=("$r"/qa-{arc-easy,arc-challenge,boolq}.jsonl "$r"/qa-{arc-easy,arc-challenge,openbookqa,piqa}-baselines.jsonl
      "$r"/rewrite-gsm8k-smollm2.jsonl "$r"/rewrite-gsm8k.jsonl)
for f in "$q"/qa-{gsm8k,svamp,math500,mbpp,humaneval,arc-challenge,arc-easy,boolq}-baselines.jsonl \
         "$q"/qa-{gsm8k,arc-challenge,arc-easy,mbpp,svamp}-candidates.jsonl "$q"/qa-mbpp-candidates-run.jsonl \
         "$q"/qa-{arc-challenge,arc-easy,gsm8k}-sequential.jsonl "$q"/qa-gsm8k-{core,batch}.jsonl \
         "$q"/rewrite-{gsm8k,mbpp}.jsonl "$q"/rewrite-{gsm8k,mbpp}-smollm2-coder.jsonl \
         "$q"/rewrite-gsm8k-answer-visible{,-smollm2-coder}.jsonl "$q"/rewrite-gsm8k-{n2,sent-original}.jsonl; do
  if [[ -s $f ]]; then runs+=("$f"); fi
done
"$LLMZ" report -o "${OUT:-$r}" "${runs[@]}"
