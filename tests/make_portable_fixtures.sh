#!/usr/bin/env bash
# Writes a set of portable-profile fixtures into tests/data/portable/<NAME>/ (NAME: the CPU kind, e.g.
# zen4-epyc), which tests/portable_fixtures_test.sh decodes on every machine the suite runs on.
#   tests/make_portable_fixtures.sh NAME [LLMZ]   (after scripts/setup.sh; LLMZ defaults to build/llmz)
# Each X.llmz has its original X beside it (and X.context when it was coded with one); qa.qa decodes
# to qa.answer from qa.prompt. lora.txt.llmz needs build/tests/smollm2-lora.gguf, which the test suite's
# make_tiny_models step writes (llmz-make-random-lora with seed 3: the same bytes on every machine).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: tests/make_portable_fixtures.sh NAME [LLMZ]}
LLMZ=$(realpath "${2:-build/llmz}")
LORA=$(realpath build/tests/smollm2-lora.gguf)
out=tests/data/portable/$name
[[ ! -e $out ]] || { echo "$out exists" >&2; exit 1; }
mkdir -p "$out"
cd "$out"

cat >text.txt <<'TEXT'
Portable files: a file made on one machine decodes on any other x86-64 machine with AVX2, FMA, F16C
and BMI2, because every such CPU runs the same instructions of the same CPU backend in the same order.
TEXT
python3 - <<'PY'
import random
random.seed(7)
# Text with raw bytes in it: not UTF-8, so parts go through the byte tokens or classical coding.
blob = b"header: llmz fixture\x00\x01\x02" + bytes(random.randrange(256) for _ in range(300)) + b"\ntrailing text, then bytes \xff\xfe\n"
open("binary.bin", "wb").write(blob)
PY
printf 'Hello, portable world.\n' >hello.txt
printf 'Name three primary colours.' >answer.txt.context
printf 'The three primary colours of light are red, green and blue; for paint they are red, yellow and blue.\n' >answer.txt
printf 'Once upon a time a small model learned to compress stories about rivers, hills and winter ice.\n' >lora.txt
printf 'Tom has 3 apples and buys 5 more. How many apples does he have now?' >qa.prompt

"$LLMZ" -q --always-model hello.txt
"$LLMZ" -q --always-model text.txt
"$LLMZ" -q --always-model binary.bin
"$LLMZ" -q --always-model --context-file answer.txt.context answer.txt
"$LLMZ" -q --always-model --lora "$LORA" lora.txt
"$LLMZ" qa encode -q --llm gemma3 -n 2 --max-attempt-tokens 48 --max-question-tokens 24 --max-reference-tokens 64 \
  --prompt-file qa.prompt -o qa.qa
"$LLMZ" qa decode --prompt-file qa.prompt qa.qa -o qa.answer
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | xargs)
flags=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -E 'avx512[a-z_0-9]*|amx[a-z_0-9]*|avx_vnni' | sort -u | xargs)
echo "| $name | $cpu | ${flags:-no AVX-512 or AMX} | $(date -u +%Y-%m-%d) | $("$LLMZ" --version | sed -n 's/^compute (portable): //p') |"
