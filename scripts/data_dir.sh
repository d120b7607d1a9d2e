# Sourced by the test scripts: exports LLMZ_DATA_DIR, the workplace's benchmark folder
# (shared/data/benchmarks), so that the benchmark tests run, and fail, in any checkout. llmz itself
# looks beside the folders above the current one and above the program; a clone elsewhere (CI clones
# into a scratch folder) finds it beside the repository it was cloned from.
if [[ -z ${LLMZ_DATA_DIR:-} ]]; then
  for base in "$PWD" "$(git config --get remote.origin.url 2>/dev/null || true)"; do
    [[ -n $base && -d $base ]] || continue
    dir=$(cd "$base" && pwd)
    while [[ $dir != / ]]; do
      if [[ -f $dir/shared/data/benchmarks/gsm8k/test.jsonl ]]; then
        export LLMZ_DATA_DIR=$dir/shared/data/benchmarks
        break 2
      fi
      dir=$(dirname "$dir")
    done
  done
fi
if [[ -z ${LLMZ_DATA_DIR:-} ]]; then
  echo "note: no benchmark data found (shared/data/benchmarks above this checkout or its origin);" \
    "the Benchmarks tests will fail: set LLMZ_DATA_DIR" >&2
fi
