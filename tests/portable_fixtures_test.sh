#!/usr/bin/env bash
# Files written with the portable compute profile on other machines decode here, exactly
# (tests/data/portable/README.md lists the CPU each set was made on; docs/FORMAT.md, compute profiles).
set -uo pipefail
LLMZ=$(realpath "${1:?usage: portable_fixtures_test.sh path/to/llmz}")
LORA=${LLMZ_REAL_LORA:?}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
enter_scratch

sets=0
for dir in "$HERE"/data/portable/*/; do
  name=$(basename "$dir")
  sets=$((sets + 1))
  for packed in "$dir"*.llmz; do
    original=${packed%.llmz}
    args=(-q -d -c)
    [[ -f $original.context ]] && args+=(--context-file "$original.context")
    "$LLMZ" info --json "$packed" | grep -q '"compute_profile": "portable"' || {
      echo "FAIL $name/$(basename "$packed"): not a portable-profile file"; failures=$((failures + 1)); continue; }
    # The adapter a file names is found by fingerprint in a folder: the test suite makes it (seed 3).
    [[ $(basename "$packed") == lora.* ]] && { mkdir -p adapters; cp "$LORA" adapters/; args+=(--lora-dir adapters); }
    check "$name: $(basename "$packed") decodes to its original" sh -c '"$@" | cmp - "$0"' "$original" "$LLMZ" "${args[@]}" "$packed"
  done
  for qa in "$dir"*.qa; do
    base=${qa%.qa}
    check "$name: $(basename "$qa") decodes to the sender's answer" \
      sh -c '"$@" | cmp - "$0"' "$base.answer" "$LLMZ" qa decode --prompt-file "$base.prompt" "$qa"
  done
done
((sets > 0)) || { echo "FAIL no fixture sets in $HERE/data/portable"; failures=$((failures + 1)); }

# The old fixture (F16 KV cache, native profile of an Intel Xeon with AMX): it decodes where its
# compute id is this machine's native one, and is refused with the cause everywhere else.
F16=$HERE/data/alice-head.f16.llmz
REAL=${LLMZ_MODELS_DIR:?}/SmolLM2-135M-Instruct.Q8_0.gguf
if "$LLMZ" info "$F16" | grep -q "this build's)"; then
  check "old native fixture decodes on the CPU kind it was made on" sh -c "
    '$LLMZ' -q -d -c -m '$REAL' '$F16' | cmp - '$HERE/data/alice-head.txt'"
else
  expect_error "old native fixture, made on another CPU kind, is refused with the cause" 3 \
    "another llama.cpp build or CPU kind" f16.txt "$LLMZ" -q -d -m "$REAL" "$F16" -o f16.txt
fi

finish
