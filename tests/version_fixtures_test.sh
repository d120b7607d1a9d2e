#!/usr/bin/env bash
# Files of every older format version decode with this build (tests/data/versions/README.md says how
# each was made): .llmz versions 1 to 4 (plain, LoRA adapter, routed best, routed by prompt profile),
# a lossy version 1 file, and a version 1 .qa file; version 5 files with sliding windows and an
# archive; a version 6 file (online mixing); and this build writes version 6.
set -uo pipefail
LLMZ=$(realpath "${1:?usage: version_fixtures_test.sh path/to/llmz}")
LORA=${LLMZ_REAL_LORA:?}
HERE=$(cd "$(dirname "$0")" && pwd)
V=$HERE/data/versions
P=$HERE/data/portable/amd-epyc-avx512
source "$HERE/check.sh"
enter_scratch

version_is() {  # version_is FILE N: llmz info reports format version N
  "$LLMZ" info --json "$1" | grep -q "\"format_version\": $2,"
}
decodes_to() {  # decodes_to EXPECTED ARGS...: llmz -d -c ARGS writes EXPECTED
  local expected=$1; shift
  "$LLMZ" -q -d -c "$@" | cmp - "$expected"
}

check "version 1: plain text" version_is "$P/hello.txt.llmz" 1
check "version 1 decodes" decodes_to "$P/hello.txt" "$P/hello.txt.llmz"
mkdir -p adapters profiled
cp "$LORA" adapters/
check "version 2: a LoRA adapter" version_is "$P/lora.txt.llmz" 2
check "version 2 decodes" decodes_to "$P/lora.txt" --lora-dir adapters "$P/lora.txt.llmz"
check "version 3: routed, best" version_is "$V/route-best.txt.llmz" 3
check "version 3 decodes" decodes_to "$V/route-best.txt" --lora-dir adapters "$V/route-best.txt.llmz"
# The same adapter with the profile of the same prompts: the same candidate set the encoder saw.
cp "$LORA" profiled/
check "the adapter's prompt profile" "$LLMZ" lora profile -q --data "$V/profile-data.jsonl" profiled/smollm2-lora.gguf
check "version 4: routed by prompt profile" version_is "$V/route-profile.txt.llmz" 4
check "version 4 decodes (routed again from the prompt)" decodes_to "$V/route-profile.txt" --lora-dir profiled \
  --context-file "$V/route.txt.context" "$V/route-profile.txt.llmz"
check "version 1, lossy" version_is "$V/lossy.txt.llmz" 1
check "version 1 lossy decodes to its rewrite" decodes_to "$V/lossy.txt.rewrite" --context-file "$V/lossy.txt.context" \
  "$V/lossy.txt.llmz"
check ".qa version 1" sh -c "'$LLMZ' info --json '$P/qa.qa' | grep -q '\"format_version\": 1,'"
check ".qa version 1 decodes" sh -c "'$LLMZ' qa decode --prompt-file '$P/qa.prompt' '$P/qa.qa' | cmp - '$P/qa.answer'"

# Version 5 files made here (AMD EPYC, portable profile): windows of 64 tokens that slide many times,
# and a record archive. Decoded on every CPU kind the suite runs on, they also check that the shifted
# keys come out the same everywhere.
check "version 5, sliding windows, decodes" decodes_to "$V/slide.txt" "$V/slide.txt.llmz"
check "version 5 files are not mixed" sh -c "'$LLMZ' info --json '$V/slide.txt.llmz' | grep -q '\"mixing\": \"none\"'"
# Version 6: online mixing with every part. Any change to the mixer's arithmetic without a new
# mixer version fails here.
check "version 6, mixed, decodes" decodes_to "$V/mixed.txt" "$V/mixed.txt.llmz"
check "archive version 5 unpacks" sh -c "'$LLMZ' unpack -q '$V/corpus.llmza' | python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in sys.stdin]
assert a == b, (a, b)' '$V/corpus.jsonl'"

# What this build writes: version 6 files and version 5 archives, and it reads them back.
cp "$P/hello.txt" hello.txt
check "new files are version 6" sh -c "'$LLMZ' -q --always-model hello.txt && '$LLMZ' info --json hello.txt.llmz | grep -q '\"format_version\": 6,'"
check "version 6 decodes" decodes_to hello.txt hello.txt.llmz
finish
