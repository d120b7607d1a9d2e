#!/usr/bin/env bash
# The llmz command line on files: round trips, zstd fallback, progress, permissions, stdin/stdout,
# --rm, contexts, and bad inputs (one clear message, non-zero exit, no output left behind).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
cli_preamble "$@"

# Round trips with the tiny model, file to file.
for f in text.txt binary.bin empty.txt one.txt; do
  check "compress $f" "$LLMZ" -q -m "$TINY" --always-model "$f"
  check "decompress $f.llmz" "$LLMZ" -q -m "$TINY" -d "$f.llmz" -o "$f.out"
  check "$f round-trips" cmp "$f" "$f.out"
done
check "keeps the input by default" test -f text.txt
# Without --always-model, text the tiny random model codes worse than zstd -19 goes to zstd.
check "text goes to zstd where the model codes it worse" sh -c "
  '$LLMZ' -q -c -m '$TINY' text.txt >auto.llmz && test \$(wc -c <auto.llmz) -lt \$(wc -c <text.txt.llmz) &&
  '$LLMZ' info --json auto.llmz | python3 -c 'import json,sys; j = json.load(sys.stdin); assert j[\"llm_chunks\"] == 0 and j[\"zstd_chunks\"] > 0, j' &&
  '$LLMZ' -q -d -c -m '$TINY' auto.llmz | cmp - text.txt"
check "test command" "$LLMZ" test -q -m "$TINY" text.txt.llmz
# Progress: a bar on a terminal only; with -v, plain lines when stderr is a log.
check "-v writes progress lines to a log" sh -c "
  '$LLMZ' test -v -m '$TINY' text.txt.llmz 2>log.txt && grep -q '^testing \\[#*\\.*\\] *100% .* ETA' log.txt &&
  '$LLMZ' test -m '$TINY' text.txt.llmz 2>log.txt && ! grep -q ETA log.txt"
check "info command" sh -c "'$LLMZ' info text.txt.llmz | grep -q 'lossless'"
check "info --json" sh -c "'$LLMZ' info --json text.txt.llmz | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"original_size\"] > 0'"
check "decompress command" "$LLMZ" decompress -q -f -m "$TINY" text.txt.llmz -o text.again
check "decompress command output" cmp text.txt text.again

# Outputs take the input's permissions and modification time, as with gzip.
cp one.txt private.txt && chmod 600 private.txt && touch -d '2001-02-03 04:05:06' private.txt
check "compressed file keeps mode and mtime" sh -c "'$LLMZ' -q -m '$TINY' private.txt && test \"\$(stat -c '%a %Y' private.txt.llmz)\" = \"\$(stat -c '%a %Y' private.txt)\""
check "decompressed file keeps them too" sh -c "'$LLMZ' -q -d -m '$TINY' private.txt.llmz -o private.out && test \"\$(stat -c '%a %Y' private.out)\" = \"\$(stat -c '%a %Y' private.txt)\""

# stdin to stdout, and -c.
check "stdin to stdout" sh -c "'$LLMZ' -q -m '$TINY' < text.txt > piped.llmz && '$LLMZ' -q -d -m '$TINY' < piped.llmz > piped.txt && cmp text.txt piped.txt"
check "-c keeps files" sh -c "'$LLMZ' -q -c -m '$TINY' one.txt > c.llmz && test ! -e one.txt.llmz.tmp && '$LLMZ' -d -c -m '$TINY' c.llmz | cmp - one.txt"

# --rm removes the input only after success.
cp text.txt rm.txt
check "--rm" sh -c "'$LLMZ' -q --rm -m '$TINY' rm.txt && test ! -e rm.txt && test -f rm.txt.llmz"

# Context: needed again to decompress.
echo "Write about a river in winter." >prompt.txt
check "compress with context" "$LLMZ" -q -m "$TINY" --always-model --context-file prompt.txt text.txt -o ctx.llmz
check "decompress with context" sh -c "'$LLMZ' -q -d -m '$TINY' --context-file prompt.txt ctx.llmz -c | cmp - text.txt"
expect_error "missing context" 1 "context" ctx.out "$LLMZ" -q -d -m "$TINY" ctx.llmz -o ctx.out

# Bad inputs and bad usage.
expect_error "existing output" 2 "already exists" "" "$LLMZ" -q -m "$TINY" text.txt
head -c 60 text.txt.llmz >truncated.llmz
expect_error "truncated file" 3 "truncated" truncated "$LLMZ" -q -d -m "$TINY" truncated.llmz
size=$(stat -c %s text.txt.llmz)
cp text.txt.llmz flipped.llmz
printf '\x55' | dd of=flipped.llmz bs=1 seek=$((size - 20)) conv=notrunc status=none
expect_error "flipped payload byte" 3 "checksum" flipped "$LLMZ" -q -d -m "$TINY" flipped.llmz
cp text.txt.llmz header.llmz
printf '\x00' | dd of=header.llmz bs=1 seek=30 conv=notrunc status=none
expect_error "flipped header byte" 3 "damaged" header "$LLMZ" -q -d -m "$TINY" header.llmz
printf 'GZIP this is not' >magic.llmz
expect_error "wrong magic" 3 "not an llmz file" magic "$LLMZ" -q -d -m "$TINY" magic.llmz
cp text.txt.llmz version.llmz
printf '\x09' | dd of=version.llmz bs=1 seek=4 conv=notrunc status=none
expect_error "newer version" 5 "version 9" version "$LLMZ" -q -d -m "$TINY" version.llmz
expect_error "wrong model" 4 "wrong model" text.other "$LLMZ" -q -d -m "$OTHER" text.txt.llmz -o text.other
expect_error "missing model" 4 "model file not found" miss.llmz "$LLMZ" -q -m /nonexistent/m.gguf text.txt -o miss.llmz
expect_error "missing input" 2 "No such file" nothing.llmz "$LLMZ" -q -m "$TINY" nothing.txt
expect_error "unknown suffix" 1 "suffix" "" "$LLMZ" -q -d -m "$TINY" text.txt
expect_error "bad option" 1 "not expected: --no-such-option" "" "$LLMZ" --no-such-option
expect_error "-o with two inputs" 1 "single input" "" "$LLMZ" -q -m "$TINY" -o x.llmz one.txt text.txt

finish
