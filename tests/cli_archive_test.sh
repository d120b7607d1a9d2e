#!/usr/bin/env bash
# Record archives from the command line: pack and unpack round trips, byte-identical archives for any
# number of jobs and from merged shards, single records and ranges, prompts by reference, damaged
# entries reported by number while the others decode, and bad records refused by line number.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/check.sh"
cli_preamble "$@"

python3 - <<'PY'
import json, random
random.seed(2)
words = "the river ran under winter ice while Alice said nothing to the queen of hearts".split()
def text(n): return " ".join(random.choice(words) for _ in range(n))
with open("records.jsonl", "w") as f:
    for i in range(12):
        rec = {"prompt": "Write about " + text(4) + ".", "response": text(random.randint(10, 40)) + "."}
        if i % 3 == 0: rec = {"id": i, "meta": {"lang": "en"}, **rec}  # other fields come back too
        f.write(json.dumps(rec) + "\n")
        if i == 5: f.write("\n")  # empty lines are skipped
lines = open("records.jsonl").read().split("\n")
open("first.jsonl", "w").write("\n".join(l for l in lines[:7] if l) + "\n")
open("rest.jsonl", "w").write("\n".join(l for l in lines[7:] if l) + "\n")
PY
same_records() {  # same_records A B: the same JSON records, in order
  python3 -c "
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
b = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert a == b, (len(a), len(b))" "$1" "$2"
}
A=(-m "$TINY" -q)

check "pack, one job" "$LLMZ" pack "${A[@]}" -j 1 records.jsonl -o one.llmza
check "pack, two jobs" "$LLMZ" pack "${A[@]}" -j 2 records.jsonl -o two.llmza
check "the archive does not depend on the jobs" cmp one.llmza two.llmza
check "unpack gives the records back" sh -c "'$LLMZ' unpack -m '$TINY' -q one.llmza -o back.jsonl"
check "... the same records, other fields included" same_records records.jsonl back.jsonl
check "info on an archive" sh -c "'$LLMZ' info --json one.llmza | python3 -c '
import json, sys; j = json.load(sys.stdin); assert j[\"mode\"] == \"archive\" and j[\"records\"] == 12, j'"
check "test on an archive" "$LLMZ" test "${A[@]}" one.llmza
check "one record" sh -c "'$LLMZ' unpack -m '$TINY' -q --record 7 one.llmza >r7.jsonl && sed -n 7p back.jsonl | cmp - r7.jsonl"
check "a range" sh -c "'$LLMZ' unpack -m '$TINY' -q --range 3:5 one.llmza >r.jsonl && sed -n 3,5p back.jsonl | cmp - r.jsonl"
check "shards merged equal the whole" sh -c "
  '$LLMZ' pack -m '$TINY' -q first.jsonl -o first.llmza && '$LLMZ' pack -m '$TINY' -q rest.jsonl -o rest.llmza &&
  '$LLMZ' merge first.llmza rest.llmza -o merged.llmza && cmp merged.llmza one.llmza"
check "prompts by reference" sh -c "
  '$LLMZ' pack -m '$TINY' -q --prompts reference records.jsonl -o ref.llmza &&
  test \$(wc -c <ref.llmza) -lt \$(wc -c <one.llmza) &&
  '$LLMZ' unpack -m '$TINY' -q --prompts-from records.jsonl ref.llmza -o ref.jsonl"
check "... unpack with the prompts given" same_records records.jsonl ref.jsonl
expect_error "prompts by reference need them again" 1 "prompts-from" noref.jsonl \
  "$LLMZ" unpack "${A[@]}" ref.llmza -o noref.jsonl
check "other field names" sh -c "
  sed 's/\"prompt\"/\"q\"/; s/\"response\"/\"a\"/' records.jsonl >qa.jsonl &&
  '$LLMZ' pack -m '$TINY' -q --prompt-field q --response-field a qa.jsonl -o qa.llmza &&
  '$LLMZ' unpack -m '$TINY' -q qa.llmza -o qa.back && python3 -c '
import json
a = [json.loads(l) for l in open(\"qa.jsonl\") if l.strip()]; b = [json.loads(l) for l in open(\"qa.back\")]
assert a == b'"

# A damaged entry: reported by its number; every other record still decodes.
python3 - <<'PY'
data = bytearray(open("one.llmza", "rb").read())
data[len(data) // 2] ^= 0x40  # inside some entry: test says which
open("damaged.llmza", "wb").write(bytes(data))
PY
"$LLMZ" test "${A[@]}" damaged.llmza 2>damaged.txt
check "a damaged entry: test fails (exit 3) and names it by its record number" sh -c "
  test $? -eq 3 && grep -q 'record [0-9]* is damaged' damaged.txt && grep -q '1 of 12 records damaged' damaged.txt"
damaged=$(grep -o "record [0-9]* is damaged" damaged.txt | head -1 | cut -d' ' -f2)
check "... the other records decode (--skip-damaged)" sh -c "
  '$LLMZ' unpack -m '$TINY' -q --skip-damaged damaged.llmza -o partial.jsonl 2>/dev/null; test \$? -eq 3 &&
  test \$(wc -l <partial.jsonl) -eq 11 && sed '${damaged:-0}d' back.jsonl | cmp - partial.jsonl"
expect_error "... without it, unpack stops and writes nothing" 3 "record $damaged" none.jsonl \
  "$LLMZ" unpack "${A[@]}" damaged.llmza -o none.jsonl
head -c 100 one.llmza >cut.llmza
expect_error "a truncated archive" 3 "truncated" "" "$LLMZ" unpack "${A[@]}" cut.llmza

# Bad records: the line number, and no archive left behind.
printf '{"prompt": "a", "response": "b"}\n{"prompt": "a", "response": \n' >badjson.jsonl
expect_error "malformed JSON line" 1 "badjson.jsonl:2: not JSON" bad.llmza "$LLMZ" pack "${A[@]}" badjson.jsonl -o bad.llmza
printf '{"prompt": "a", "response": "b"}\n\n{"prompt": "a"}\n' >nofield.jsonl
expect_error "missing field" 1 "nofield.jsonl:3: no field \"response\"" bad.llmza \
  "$LLMZ" pack "${A[@]}" nofield.jsonl -o bad.llmza
printf '{"prompt": ["a"], "response": "b"}\n' >notstring.jsonl
expect_error "a field that is not a string" 1 "is not a string" bad.llmza "$LLMZ" pack "${A[@]}" notstring.jsonl -o bad.llmza
expect_error "a record over the size limit" 1 "records.jsonl:1: the record is" bad.llmza \
  "$LLMZ" pack "${A[@]}" --max-record-bytes 20 records.jsonl -o bad.llmza
expect_error "an existing archive is kept" 2 "already exists" "" "$LLMZ" pack "${A[@]}" records.jsonl -o one.llmza
expect_error "shards of other options do not merge" 1 "another model" mixed.llmza \
  "$LLMZ" merge one.llmza ref.llmza -o mixed.llmza

finish
