#!/usr/bin/env bash
# Determinism between processes with real models: thread and stream counts change no bit of a file;
# compute profiles (portable by default, native on request, both decoded in one call); K-quants.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
cli_preamble "$@"

head -c 6000 text.txt >real.txt
# Windows of 1000 tokens: the Q8_0 KV cache past 512 cells, where one-token calls differ if threaded.
check "real model: compress -T 1" "$LLMZ" -q -m "$REAL" -T 1 --streams 2 --window 1000 --overlap 200 real.txt -o real1.llmz
check "real model: decompress -T 2" sh -c "'$LLMZ' -q -d -m '$REAL' -T 2 --streams 5 real1.llmz -c | cmp - real.txt"
check "real model: compress -T 2" "$LLMZ" -q -m "$REAL" -T 2 --streams 2 --window 1000 --overlap 200 real.txt -o real2.llmz
check "real model: same bits from both" cmp real1.llmz real2.llmz
check "real model: decompress -T 1" sh -c "'$LLMZ' -q -d -m '$REAL' -T 1 --streams 1 real2.llmz -c | cmp - real.txt"
# Sliding windows (the default): windows of 200 tokens with 50 carried over, so every stream slides
# many times; the thread count changes no bit, and other stream counts decode it.
head -c 5000 text.txt >slide.txt
check "sliding: compress -T 1, 3 streams" "$LLMZ" -q -m "$REAL" -T 1 --streams 3 --window 200 --overlap 50 slide.txt -o slide1.llmz
check "sliding: compress -T 2, same bits" sh -c "
  '$LLMZ' -q -c -m '$REAL' -T 2 --streams 3 --window 200 --overlap 50 slide.txt | cmp - slide1.llmz"
check "sliding: info names it" sh -c "'$LLMZ' info slide1.llmz | grep -q 'overlapping by 50 (sliding)'"
check "sliding: decompress -T 2, 1 stream" sh -c "'$LLMZ' -q -d -c -m '$REAL' -T 2 --streams 1 slide1.llmz | cmp - slide.txt"
check "sliding: decompress -T 1, 5 streams" sh -c "'$LLMZ' -q -d -c -m '$REAL' -T 1 --streams 5 slide1.llmz | cmp - slide.txt"
check "re-read windows: compress" "$LLMZ" -q -m "$REAL" --streams 3 --window 200 --overlap 50 --window-mode reread slide.txt -o reread.llmz
check "re-read windows: other bits, info names them, decodes" sh -c "
  ! cmp -s reread.llmz slide1.llmz && '$LLMZ' info reread.llmz | grep -q '(re-read)' &&
  '$LLMZ' -q -d -c -m '$REAL' -T 1 --streams 2 reread.llmz | cmp - slide.txt"
# Online mixing (the default, all parts): the sliding files above are mixed; each part alone and none
# give other bits that decode with any thread and stream count (on the first half of the text, where
# windows of 100 tokens still slide).
check "mixing: on by default, info names it" sh -c "'$LLMZ' info slide1.llmz | grep -q 'mixing: *match,ngram,calibrate'"
head -c 2500 text.txt >mix.txt
check "mixing: all parts, 3 streams" "$LLMZ" -q -m "$REAL" -T 1 --streams 3 --window 100 --overlap 25 mix.txt -o mix-all.llmz
for mix in none match ngram calibrate; do
  check "mixing: --mix $mix, -T 1 and -T 2 give the same bits" sh -c "
    '$LLMZ' -q -c -m '$REAL' -T 1 --streams 3 --window 100 --overlap 25 --mix $mix mix.txt >mix-$mix.llmz &&
    '$LLMZ' -q -c -m '$REAL' -T 2 --streams 3 --window 100 --overlap 25 --mix $mix mix.txt | cmp - mix-$mix.llmz"
  check "mixing: --mix $mix differs from all parts, decodes on 1 stream" sh -c "
    ! cmp -s mix-$mix.llmz mix-all.llmz && '$LLMZ' info mix-$mix.llmz | grep -q 'mixing: *$mix' &&
    '$LLMZ' -q -d -c -m '$REAL' -T 2 --streams 1 mix-$mix.llmz | cmp - mix.txt"
done
expect_error "mixing: an unknown part is a usage error" 1 "unknown mixing part" bogus.llmz \
  "$LLMZ" -q -m "$REAL" --mix match,bogus slide.txt -o bogus.llmz
# Compute profiles: portable by default, native on request; decoding takes the file's, also for files
# of both kinds in one call (the CPU backend changes between them). tests/portable_fixtures_test.sh
# decodes files made on other machines.
check "profiles: compress --compute native" "$LLMZ" -q -m "$REAL" --compute native --window 1000 --overlap 200 real.txt -o native.llmz
check "profiles: info names the native profile" sh -c "'$LLMZ' info native.llmz | grep -q 'native profile, this build'"
check "profiles: info names the portable profile of the default" sh -c "'$LLMZ' info real1.llmz | grep -q 'x86-64-v3 #.*(portable profile, this build'"
check "profiles: the native file decodes" sh -c "'$LLMZ' -q -d -c -m '$REAL' native.llmz | cmp - real.txt"
cat real.txt real.txt real.txt >real3.txt
check "profiles: portable and native files decode in one call" sh -c "
  '$LLMZ' -q -d -c -m '$REAL' real1.llmz native.llmz real2.llmz | cmp - real3.txt"
expect_error "profiles: an unknown profile name is a usage error" 1 "--compute" bogus.llmz \
  "$LLMZ" -q -m "$REAL" --compute fastest real.txt -o bogus.llmz

# K-quant models (Gemma 3 270M Q4_K_M) keep the contract too.
GEMMA=${LLMZ_MODELS_DIR}/gemma-3-270m-q4_k_m.gguf
head -c 2500 text.txt >gemma.txt
check "gemma3: compress 4 streams" "$LLMZ" -q -m "$GEMMA" --streams 4 --window 200 --overlap 40 gemma.txt
check "gemma3: decompress 1 stream, 1 thread" sh -c "'$LLMZ' -q -d -m '$GEMMA' -T 1 --streams 1 gemma.txt.llmz -c | cmp - gemma.txt"

finish
