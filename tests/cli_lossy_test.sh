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
check "shortest-of-N" "$LLMZ" -q -m "$TINY" --shortest-of 2 --max-rewrite-tokens 30 --context-file prompt.txt short.txt -o sofn.llmz
expect_error "shortest-of-N needs the prompt" 1 "context-file" nop.llmz "$LLMZ" -q -m "$TINY" --shortest-of 2 short.txt -o nop.llmz
expect_error "binary input cannot be rewritten" 1 "UTF-8" bin.llmz "$LLMZ" -q -m "$TINY" --rewrite binary.bin -o bin.llmz
expect_error "empty input cannot be rewritten" 1 "empty" e.llmz "$LLMZ" -q -m "$TINY" --rewrite empty.txt -o e.llmz

finish
