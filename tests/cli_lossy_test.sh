#!/usr/bin/env bash
# Lossy mode from the command line: the file decodes to a rewrite, says so, and refuses what it
# cannot rewrite.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
cli_preamble "$@"

head -c 400 text.txt >short.txt
check "compress --rewrite" "$LLMZ" -q -m "$TINY" --rewrite --candidates 2 --max-rewrite-tokens 30 --context-file prompt.txt short.txt -o lossy.llmz
check "lossy file decodes to the rewrite" sh -c "'$LLMZ' -q -d -m '$TINY' --context-file prompt.txt lossy.llmz -c > rewrite.txt && test -s rewrite.txt && ! cmp -s rewrite.txt short.txt"
check "info says lossy" sh -c "'$LLMZ' info lossy.llmz | grep -q LOSSY && '$LLMZ' info --json lossy.llmz | python3 -c 'import json,sys; j = json.load(sys.stdin); assert j[\"mode\"] == \"lossy\" and j[\"lossy\"][\"original_size\"] == 400, j'"
# A rewrite no smaller than the input is never sent: two bytes cannot be rewritten any shorter.
printf 'Hi' >tiny.txt
check "a rewrite no smaller than the input sends the input" sh -c \
  "'$LLMZ' -m '$TINY' --rewrite --max-rewrite-tokens 30 --context-file prompt.txt tiny.txt -o tiny.llmz 2>tiny.err && grep -q 'no rewrite coded smaller than the input' tiny.err && '$LLMZ' -q -d -m '$TINY' --context-file prompt.txt tiny.llmz -c | cmp - tiny.txt && ! '$LLMZ' info tiny.llmz | grep -q LOSSY"
check "shortest-of-N" "$LLMZ" -q -m "$TINY" --shortest-of 2 --max-rewrite-tokens 30 --context-file prompt.txt short.txt -o sofn.llmz
expect_error "shortest-of-N needs the prompt" 1 "context-file" nop.llmz "$LLMZ" -q -m "$TINY" --shortest-of 2 short.txt -o nop.llmz
expect_error "binary input cannot be rewritten" 1 "UTF-8" bin.llmz "$LLMZ" -q -m "$TINY" --rewrite binary.bin -o bin.llmz
expect_error "empty input cannot be rewritten" 1 "empty" e.llmz "$LLMZ" -q -m "$TINY" --rewrite empty.txt -o e.llmz

# --keep-answer: the tiny solver never works out 987654, from a rewrite or from the input itself, so the
# check cannot tell them apart and the cheapest rewrite (20 tokens against the input's ~300 bytes) is sent.
{ for i in 1 2 3 4 5 6; do printf 'On day %s she sells 9 eggs and counts them twice over.\n' $i; done
  printf 'She makes 9 * 109739.33 = <<9*109739.33=987654>>987654.\n#### 987654\n'; } >answer.txt
check "--keep-answer keeps the cheapest rewrite when the input fails the check too" sh -c \
  "'$LLMZ' -m '$TINY' --rewrite --keep-answer --candidates 2 --max-rewrite-tokens 20 --context-file prompt.txt answer.txt -o kept.llmz 2>kept.err && grep -q 'cheapest rewrite is kept' kept.err && grep -q LOSSY kept.err && '$LLMZ' info kept.llmz | grep -q 'checked best-of-N rewrite'"
# A rewrite never smaller than the input (a one-line input) leaves the input, losslessly.
printf '#### 987654\n' >short_answer.txt
check "--keep-answer sends the input when no rewrite is smaller" sh -c \
  "'$LLMZ' -m '$TINY' --rewrite --keep-answer --candidates 2 --max-rewrite-tokens 20 --context-file prompt.txt short_answer.txt -o short.llmz 2>short.err && grep -q 'codes the input itself' short.err && '$LLMZ' -q -d -m '$TINY' --context-file prompt.txt short.llmz -c | cmp - short_answer.txt && ! '$LLMZ' info short.llmz | grep -q LOSSY"
expect_error "--keep-answer checks rewrites only" 1 "compress with --rewrite" k1.llmz "$LLMZ" -q -m "$TINY" \
  --keep-answer --shortest-of 2 --context-file prompt.txt answer.txt -o k1.llmz
expect_error "--keep-answer is no lossless option" 1 "compress with --rewrite" k0.llmz "$LLMZ" -q -m "$TINY" \
  --keep-answer answer.txt -o k0.llmz
expect_error "--solver goes with --keep-answer" 1 "add --keep-answer" k4.llmz "$LLMZ" -q -m "$TINY" --rewrite \
  --solver "$TINY" --context-file prompt.txt answer.txt -o k4.llmz
expect_error "--keep-answer on empty input" 1 "empty" k5.llmz "$LLMZ" -q -m "$TINY" --rewrite --keep-answer \
  --context-file prompt.txt empty.txt -o k5.llmz
expect_error "--keep-answer needs the prompt" 1 "context-file" k2.llmz "$LLMZ" -q -m "$TINY" --rewrite --keep-answer \
  answer.txt -o k2.llmz
printf 'no result stated here\n' >noanswer.txt
expect_error "--keep-answer needs an input with a final answer" 1 "final answer" k3.llmz "$LLMZ" -q -m "$TINY" \
  --rewrite --keep-answer --context-file prompt.txt noanswer.txt -o k3.llmz

finish
