#!/usr/bin/env bash
# The portable compute profile against the native one on this machine, in one run: compress and
# decompress the same input, A/B pairs run in turn (farm-bench), medians of RUNS pairs.
#   bench/profiles.sh [INPUT] [RUNS]   (default: the first 4 KB of canterbury/alice29.txt, 5 runs)
# Prints a markdown report on stdout (bench/results/profiles.md holds the last one). Run it on an
# idle machine: the two profiles share the cores with anything else running.
set -euo pipefail
cd "$(dirname "$0")/.."
LLMZ=$(realpath "${LLMZ:-build/llmz}")
data=${LLMZ_DATA:-../shared/data/corpora}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -n ${1:-} ]]; then cp "$1" "$work/input"; else head -c 4096 "$data/canterbury/alice29.txt" >"$work/input"; fi
cd "$work"
"$LLMZ" -q input -o portable.llmz
"$LLMZ" -q --compute native input -o native.llmz
"$LLMZ" -q -d -c portable.llmz | cmp - input
"$LLMZ" -q -d -c native.llmz | cmp - input

bench() {  # bench WHAT PORTABLE_ARGS NATIVE_ARGS
  echo "### $1"
  echo '```'
  farm-bench -n "$runs" --timeout 3000 --vs "$LLMZ $3" -- "$LLMZ" $2 2>&1
  echo '```'
}
echo "## Compute profiles: portable (A) against native (B)"
echo
echo "$(date -u +%Y-%m-%d), $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
  "input $(stat -c %s input) bytes; model smollm2 (Q8_0), defaults (-T auto)."
echo "Sizes: portable $(stat -c %s portable.llmz) bytes, native $(stat -c %s native.llmz) bytes."
echo
bench "compress" "-q -f input -o a.llmz" "-q -f --compute native input -o b.llmz"
bench "decompress" "-q -d -c portable.llmz" "-q -d -c native.llmz"
