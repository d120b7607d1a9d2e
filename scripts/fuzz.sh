#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/) for SECONDS each, from the committed seed corpus, with
# AddressSanitizer and UndefinedBehaviorSanitizer. Exits non-zero if any target finds a crash (the
# input is kept in build-fuzz/crashes/TARGET/). Prints the executions each target made.
# Usage: scripts/fuzz.sh SECONDS   (needs clang and libclang-rt-14-dev: scripts/setup.sh installs them)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: scripts/fuzz.sh SECONDS}
scripts/configure.sh fuzz build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-fuzz -j "$(nproc)" >/dev/null
failed=0
for target in llmz_file range_decoder qa_file server_requests; do
  corpus=build-fuzz/corpus/$target crashes=build-fuzz/crashes/$target
  mkdir -p "$corpus" "$crashes"
  cp -n fuzz/corpus/$target/* "$corpus/" 2>/dev/null || true
  log=build-fuzz/$target.log
  if build-fuzz/fuzz_$target "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz_$target: $runs executions in ${seconds} s, no crash"
  else
    echo "fuzz_$target: FAILED (input kept in $crashes/):"
    grep -E "ERROR|SUMMARY|runtime error" "$log" | head -5
    failed=1
  fi
done
exit $failed
