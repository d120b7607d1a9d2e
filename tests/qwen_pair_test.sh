#!/usr/bin/env bash
# The Qwen2.5-Coder pair under the determinism contract, in separate processes: the 0.5B compresses
# and decompresses across thread counts and stream counts, and a QA file made with the 0.5B as SLM
# and the 1.5B as oracle decodes in another process with other threads, in sequential and candidates mode.
set -uo pipefail
LLMZ=$(realpath "${1:?usage: qwen_pair_test.sh path/to/llmz}")
SMALL=${LLMZ_MODELS_DIR:?}/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
STRONG=${LLMZ_MODELS_DIR:?}/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
enter_scratch

# Lossless: two chunks so that lock-step streams are exercised, each direction with other settings.
head -c 2600 "$HERE/../docs/QA.md" >text.md
check "qwen0.5b: compress, 2 streams, -T 2" "$LLMZ" -q -m "$SMALL" -T 2 --streams 2 --window 256 --overlap 64 --always-model text.md
check "qwen0.5b: info names the model" sh -c "'$LLMZ' info text.md.llmz | grep -q 'Qwen2.5 Coder 0.5B'"
check "qwen0.5b: decompress 1 stream, -T 1, same bytes" sh -c "'$LLMZ' -q -d -m '$SMALL' -T 1 --streams 1 -c text.md.llmz | cmp - text.md"
check "qwen0.5b: decompress -T auto, same bytes" sh -c "'$LLMZ' -q -d -m '$SMALL' -c text.md.llmz | cmp - text.md"
check "qwen0.5b: codes the text below 2.5 bits per byte" sh -c "test \$(stat -c %s text.md.llmz) -lt \$((2600 * 25 / 80))"

# Question asking: 0.5B asks and revises, 1.5B answers in words from its own reference (a reply that
# is neither yes nor no fails the encode).
echo "Tom has 3 apples and buys 4 more. How many apples does he have?" >problem.txt
check "qa encode (qwen0.5b SLM, qwen1.5b oracle, -T 2)" "$LLMZ" qa encode --slm "$SMALL" --llm "$STRONG" -T 2 \
  --prompt-file problem.txt -n 2 --max-attempt-tokens 48 --max-question-tokens 24 --max-reference-tokens 48 --unclear fail -o x.qa --json
cp out.txt encoded.json
check "qa decode in another process, -T 1, rebuilds the final answer" sh -c "'$LLMZ' qa decode --slm '$SMALL' -T 1 --prompt-file problem.txt x.qa > answer.txt &&
  python3 -c 'import json; assert open(\"answer.txt\").read() == json.load(open(\"encoded.json\"))[\"final_answer\"] + \"\\n\"'"
check "qa encode candidates mode (qwen0.5b samples, qwen1.5b oracle, -T 2)" "$LLMZ" qa encode --slm "$SMALL" --llm "$STRONG" \
  -T 2 --question-mode candidates --prompt-file problem.txt -n 3 --max-attempt-tokens 64 --max-reference-tokens 64 \
  --unclear fail -o c.qa --json
cp out.txt candidates.json
check "qa decode candidates in another process, -T 1, rebuilds the final answer" sh -c "'$LLMZ' qa decode --slm '$SMALL' -T 1 --prompt-file problem.txt c.qa > c.txt &&
  python3 -c 'import json; assert open(\"c.txt\").read() == json.load(open(\"candidates.json\"))[\"final_answer\"] + \"\\n\"'"

finish
