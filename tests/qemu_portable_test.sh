#!/usr/bin/env bash
# The portable profile on other CPUs, emulated by QEMU user mode (qemu-user, from the set-up): a
# Haswell, which has x86-64-v3 but no AVX-512 (nor does QEMU's TCG), decodes a fixture made on a real
# machine and a file made here, exactly; a Nehalem, without AVX, is refused with exit 4, naming what
# it lacks. Emulation is slow: the files are a few tokens long.
set -uo pipefail
LLMZ=$(realpath "${1:?usage: qemu_portable_test.sh path/to/llmz}")
REAL=${LLMZ_MODELS_DIR:?}/SmolLM2-135M-Instruct.Q8_0.gguf
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
enter_scratch

# An AVX-512 instruction would stop the emulated program (SIGILL): TCG has none.
for fixture in "$HERE"/data/portable/*/hello.txt.llmz; do
  set_name=$(basename "$(dirname "$fixture")")
  check "qemu Haswell: $set_name/hello.txt.llmz decodes" bash -c '
    qemu-x86_64 -cpu Haswell "$1" -q -d -c -m "$2" "$3" 2>/dev/null | cmp - "${3%.llmz}"' _ "$LLMZ" "$REAL" "$fixture"
done
printf 'Made here, decoded on an emulated Haswell.\n' >here.txt
check "qemu: compress here (portable)" "$LLMZ" -q -m "$REAL" --always-model here.txt
check "qemu Haswell: the file made here decodes" bash -c '
  qemu-x86_64 -cpu Haswell "$1" -q -d -c -m "$2" here.txt.llmz 2>/dev/null | cmp - here.txt' _ "$LLMZ" "$REAL"
check "qemu Haswell: compressing gives the same bytes as here" bash -c '
  qemu-x86_64 -cpu Haswell "$1" -q -c -m "$2" --always-model here.txt 2>/dev/null | cmp - here.txt.llmz' _ "$LLMZ" "$REAL"
qemu-x86_64 -cpu Nehalem "$LLMZ" -q -d -m "$REAL" here.txt.llmz -o nehalem.txt >out.txt 2>err.txt
rc=$?
if [[ $rc -eq 4 ]] && grep -q "this one lacks AVX, AVX2, FMA, F16C, BMI2" err.txt && [[ ! -e nehalem.txt ]]; then
  echo "ok   qemu Nehalem: refused with exit 4, naming the missing instructions"
else
  echo "FAIL qemu Nehalem: exit $rc"; cat err.txt; failures=$((failures + 1))
fi

finish
