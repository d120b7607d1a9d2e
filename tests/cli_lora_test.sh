#!/usr/bin/env bash
# LoRA adapters from the command line: recorded and found again, training, and routing between
# trained domains (by coding the prompt, by the best size, by prompt profiles).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
cli_preamble "$@"

# LoRA adapters: recorded in the file, found again by flag or by folder, refused when missing or other.
LORA=${LLMZ_TINY_LORA:?}
LORA2=${LLMZ_TINY_LORA_2:?}
head -c 3000 text.txt >lora.txt
check "lora: compress with two adapters, -T 1, 3 streams" "$LLMZ" -q -m "$TINY" --always-model -T 1 --streams 3 --window 200 --overlap 50 \
  --lora "$LORA:0.5" --lora "$LORA2" lora.txt
check "lora: the adapters change the bits" sh -c "'$LLMZ' -q -m '$TINY' --always-model --streams 3 --window 200 --overlap 50 lora.txt -c >plain.llmz; ! cmp -s plain.llmz lora.txt.llmz"
check "lora: info names both, with scales" sh -c "'$LLMZ' info --json lora.txt.llmz | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j[\"format_version\"] == 6 and [a[\"scale\"] for a in j[\"adapters\"]] == [0.5, 1.0], j'"
check "lora: decompress with the same flags, -T 2, 1 stream" sh -c "'$LLMZ' -q -d -c -T 2 --streams 1 -m '$TINY' --lora '$LORA:0.5' --lora '$LORA2' lora.txt.llmz | cmp - lora.txt"
mkdir -p adapters && cp "$LORA" adapters/a.gguf && cp "$LORA2" adapters/b.gguf && echo "not gguf" >adapters/c.gguf
check "lora: decompress finding the adapters in a folder" sh -c "'$LLMZ' -q -d -c -m '$TINY' --lora-dir adapters lora.txt.llmz | cmp - lora.txt"
expect_error "lora: adapters not given" 4 "no LoRA adapter was given" lora.out "$LLMZ" -q -d -m "$TINY" lora.txt.llmz -o lora.out
expect_error "lora: another scale" 4 "wrong LoRA adapters" lora.out "$LLMZ" -q -d -m "$TINY" --lora "$LORA" --lora "$LORA2" lora.txt.llmz -o lora.out
rm adapters/b.gguf
expect_error "lora: one missing from the folder" 4 "is not in adapters" lora.out "$LLMZ" -q -d -m "$TINY" --lora-dir adapters lora.txt.llmz -o lora.out
expect_error "lora: adapter file missing" 4 "adapter not found" lora2.llmz "$LLMZ" -q -m "$TINY" --lora nothere.gguf lora.txt -o lora2.llmz
# Training: a short run lowers the loss, and its adapter codes the training text in fewer bytes.
check "lora train: 2 epochs on the tiny model" sh -c "'$LLMZ' lora train --base '$TINY' --data text.txt -o trained.gguf --epochs 2 --lr 1e-3 -T 2 2>train.log"
# losses_fall LOG N: the training log holds N epochs' mean losses, each lower than the one before.
losses_fall() {
  python3 -c "
import re, sys
losses = [float(x) for x in re.findall(r'mean training loss ([0-9.]+)', open(sys.argv[1]).read())]
assert len(losses) == int(sys.argv[2]) and all(b < a for a, b in zip(losses, losses[1:])), losses" "$1" "$2"
}
check "lora train: the second epoch's loss is lower" losses_fall train.log 2
check "lora train: the same data and seed give the same adapter, byte for byte" sh -c "
  mkdir -p again && '$LLMZ' lora train -q --base '$TINY' --data text.txt -o again/trained.gguf --epochs 2 --lr 1e-3 -T 2 &&
  cmp again/trained.gguf trained.gguf"
check "lora train: the adapter codes its training text smaller, and round-trips" sh -c "
  '$LLMZ' -q -c -m '$TINY' --always-model text.txt >base.llmz &&
  '$LLMZ' -q -c -m '$TINY' --always-model --lora trained.gguf text.txt >tuned.llmz &&
  test \$(wc -c <tuned.llmz) -lt \$(wc -c <base.llmz) &&
  '$LLMZ' -q -d -c -T 1 --streams 1 -m '$TINY' --lora trained.gguf tuned.llmz | cmp - text.txt"
# Routing between two trained domains: words (text.txt) and arithmetic; a .jsonl of prompt/response pairs.
python3 -c "
import json, random
random.seed(7)
with open('sums.jsonl', 'w') as f:
    for _ in range(120):
        a, b = random.randrange(100), random.randrange(100)
        f.write(json.dumps({'prompt': f'What is {a} plus {b}?', 'response': f'{a} + {b} = {a + b}. The answer is {a + b}.'}) + '\\n')"
check "lora train: prompt/response pairs from .jsonl, 6 epochs" sh -c "'$LLMZ' lora train --base '$TINY' --data sums.jsonl -o sums.gguf --epochs 6 --lr 1e-3 -T 1 2>sums.log"
# Pins the cleared gradients (src/lora/train.cpp): when every step summed all earlier gradients,
# this run's loss rose in the third epoch (9.077 -> 9.125).
check "lora train: every epoch's loss is lower than the one before" losses_fall sums.log 6
mkdir -p domains && cp trained.gguf sums.gguf domains/
echo "What is 12 plus 30?" >sum-prompt.txt
head -c 200 text.txt >words-prompt.txt
echo "12 + 30 = 42. The answer is 42." >sum-answer.txt
route_name() { "$LLMZ" info --json "$1" | python3 -c 'import json,sys; j = json.load(sys.stdin); print(j["adapters"][0]["name"], j["route"]["mode"], j["route"]["candidates"])'; }
# The rule itself: the adapter a routed file names is one under which SCORED codes into the fewest
# bytes, with the given options. For prompt routing this is the rule while some candidate has no
# prompt profile: here trained.gguf, trained on plain text (it scores the prompt alone, one stream).
chosen_is_smallest() {
  local file=$1 scored=$2 chosen sizes="" a; shift 2
  chosen=$("$LLMZ" info --json "$file" | python3 -c 'import json,sys; print(json.load(sys.stdin)["adapters"][0]["name"])')
  for a in trained sums; do
    "$LLMZ" -q -f -m "$TINY" "$@" --lora "domains/$a.gguf" "$scored" -o "score-$a.llmz" || return 1
    sizes+="$("$LLMZ" info --json "score-$a.llmz" | python3 -c 'import json,sys; j = json.load(sys.stdin); print(j["file_size"] - j["header_size"])') $a
"
  done
  printf '%s' "$sizes" | grep -q "^$(printf '%s' "$sizes" | sort -n | head -1 | cut -d' ' -f1) $chosen$"
}
check "route prompt: compress an arithmetic answer (-T 1)" "$LLMZ" -q -f -m "$TINY" -T 1 --lora-dir domains --route prompt \
  --context-file sum-prompt.txt sum-answer.txt -o sum.llmz
check "route prompt: the adapter chosen codes the prompt smallest" chosen_is_smallest sum.llmz sum-prompt.txt --streams 1 --always-model
check "route prompt: the file says so" test "$(route_name sum.llmz | cut -d' ' -f2-)" = "prompt 2"
check "route prompt: compress words" "$LLMZ" -q -f -m "$TINY" --lora-dir domains --route prompt --context-file words-prompt.txt \
  lora.txt -o words.llmz
check "route prompt: again the adapter that codes the prompt smallest" chosen_is_smallest words.llmz words-prompt.txt --streams 1 --always-model
check "route prompt: the decoder routes again (-T 2, 1 stream)" sh -c "
  '$LLMZ' -q -d -c -m '$TINY' -T 2 --streams 1 --lora-dir domains --context-file sum-prompt.txt sum.llmz | cmp - sum-answer.txt"
check "route best: compress words" "$LLMZ" -q -f -m "$TINY" --lora-dir domains --route best --always-model lora.txt -o best.llmz
check "route best: the adapter chosen codes the text smallest" chosen_is_smallest best.llmz lora.txt --always-model
check "route best: the file says so" test "$(route_name best.llmz | cut -d' ' -f2-)" = "best 2"
check "route best: round trip" sh -c "'$LLMZ' -q -d -c -m '$TINY' --lora-dir domains best.llmz | cmp - lora.txt"
cp "$LORA" domains/extra.gguf
expect_error "route prompt: the decoder's folder holds other adapters" 4 "not the same set" sum.out \
  "$LLMZ" -q -d -m "$TINY" --lora-dir domains --context-file sum-prompt.txt sum.llmz -o sum.out
expect_error "route prompt: no context" 1 "needs a context" sum2.llmz "$LLMZ" -q -m "$TINY" --lora-dir domains --route prompt sum-answer.txt -o sum2.llmz
expect_error "route: needs --lora-dir" 1 "adapters of --lora-dir" sum2.llmz "$LLMZ" -q -m "$TINY" --route best sum-answer.txt -o sum2.llmz
expect_error "lora train: rank not a multiple of 32" 1 "multiple of 32" trained2.gguf "$LLMZ" lora train --base "$TINY" --data text.txt -o trained2.gguf --rank 20
expect_error "lora train: too little text" 1 "too little text" trained2.gguf "$LLMZ" lora train --base "$TINY" --data one.txt -o trained2.gguf
# Routing by prompt profiles: once every candidate stores its training prompts' profile (sums.gguf from
# its .jsonl; the words adapter from `lora profile`), the prompt's tokens pick the adapter.
python3 -c "
import json
words = open('text.txt').read().split()
with open('words.jsonl', 'w') as f:
    for i in range(0, len(words) - 40, 40):
        f.write(json.dumps({'prompt': ' '.join(words[i:i + 20]), 'response': ' '.join(words[i + 20:i + 40])}) + '\\n')"
mkdir -p profiled && cp trained.gguf sums.gguf profiled/
check "lora profile: store the words adapter's prompt profile" "$LLMZ" lora profile -q --base "$TINY" --data words.jsonl profiled/trained.gguf
check "lora profile: the tensors stay the same (the same fingerprint and code)" sh -c "
  '$LLMZ' -q -c -m '$TINY' --lora trained.gguf sum-answer.txt >plain.llmz &&
  '$LLMZ' -q -c -m '$TINY' --lora profiled/trained.gguf sum-answer.txt | cmp - plain.llmz"
check "route prompt-profile: an arithmetic prompt" "$LLMZ" -q -f -m "$TINY" --lora-dir profiled --route prompt \
  --context-file sum-prompt.txt sum-answer.txt -o psum.llmz
check "route prompt-profile: goes to the sums adapter, and the file says how" test "$(route_name psum.llmz)" = "sums prompt-profile 2"
check "route prompt-profile: a words prompt" "$LLMZ" -q -f -m "$TINY" --lora-dir profiled --route prompt \
  --context-file words-prompt.txt lora.txt -o pwords.llmz
check "route prompt-profile: goes to the words adapter" test "$(route_name pwords.llmz)" = "trained prompt-profile 2"
check "route prompt-profile: the decoder routes again" sh -c "
  '$LLMZ' -q -d -c -m '$TINY' --lora-dir profiled --context-file words-prompt.txt pwords.llmz | cmp - lora.txt"
check "lora profile: a profile from other prompts" "$LLMZ" lora profile -q --base "$TINY" --data sums.jsonl profiled/trained.gguf
expect_error "route prompt-profile: the decoder's adapters have other profiles" 4 "not the same set" pwords.out \
  "$LLMZ" -q -d -m "$TINY" --lora-dir profiled --context-file words-prompt.txt pwords.llmz -o pwords.out
cp "$TINY" not-an-adapter.gguf
expect_error "lora profile: a model is not an adapter" 4 "not a LoRA adapter" "" \
  "$LLMZ" lora profile --base "$TINY" --data sums.jsonl not-an-adapter.gguf
check "lora profile: the refused model is untouched" cmp not-an-adapter.gguf "$TINY"
expect_error "lora profile: data without prompts" 1 "holds no prompts" "" \
  "$LLMZ" lora profile --base "$TINY" --data text.txt profiled/sums.gguf

head -c 1500 text.txt >real-lora.txt
check "lora, real model: compress -T 1, 2 streams" "$LLMZ" -q -m "$REAL" -T 1 --streams 2 --window 200 --overlap 50 \
  --lora "${LLMZ_REAL_LORA:?}:0.3" real-lora.txt
check "lora, real model: decompress -T 2, 5 streams" sh -c "'$LLMZ' -q -d -c -m '$REAL' -T 2 --streams 5 --lora '$LLMZ_REAL_LORA:0.3' real-lora.txt.llmz | cmp - real-lora.txt"
expect_error "lora: adapter of another base model" 4 "not a LoRA adapter for" lora2.llmz "$LLMZ" -q -m "$REAL" --lora "$LORA" lora.txt -o lora2.llmz

finish
