#!/usr/bin/env bash
# The question-asking commands in separate processes: qa encode/decode agree across processes and
# thread counts (real SmolLM2 as SLM), llmz info on .qa files, damaged files, the oracle server
# (bad requests, limits, concurrency, expiry) with `llmz ask`, and the OpenAI-compatible oracle
# against a real llama-server.
set -uo pipefail
LLMZ=${1:?usage: qa_cli_test.sh path/to/llmz path/to/llama-server}
LLAMA_SERVER=${2:?usage: qa_cli_test.sh path/to/llmz path/to/llama-server}
TINY=${LLMZ_TINY_MODEL:?}
OTHER=${LLMZ_TINY_MODEL_2:?}
REAL=${LLMZ_MODELS_DIR:?}/SmolLM2-135M-Instruct.Q8_0.gguf
HERE=$(cd "$(dirname "$0")" && pwd)
LLMZ=$(realpath "$LLMZ")
source "$HERE/check.sh"
pids=()
on_exit='for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done'
enter_scratch

echo "Tom has 3 apples and buys 4 more. How many apples does he have?" >problem.txt
SMALL=(-n 3 --max-attempt-tokens 40 --max-question-tokens 20)
REF=(--max-reference-tokens 24)

# File mode, real SLM, separate processes, other thread counts.
check "qa encode (SmolLM2 SLM, tiny oracle, -T 2)" "$LLMZ" qa encode --slm "$REAL" --llm "$OTHER" -T 2 \
  --prompt-file problem.txt "${SMALL[@]}" "${REF[@]}" -o x.qa --json
cp out.txt encoded.json
check "qa decode -T 1 rebuilds the sender's answer" sh -c "'$LLMZ' qa decode --slm '$REAL' -T 1 --prompt-file problem.txt x.qa > answer.txt &&
  python3 -c 'import json,sys; assert open(\"answer.txt\").read() == json.load(open(\"encoded.json\"))[\"final_answer\"] + \"\\n\"'"
check "coded bits at most N + 1" python3 -c "import json; j = json.load(open('encoded.json')); assert j['coded_bits'] <= j['questions'] + 1.01, j"
check "qa encode batch mode, gold reference" "$LLMZ" qa encode --slm "$TINY" --llm "$OTHER" --question-mode batch \
  --oracle-mode gold-reference --gold 7 --prompt-file problem.txt "${SMALL[@]}" "${REF[@]}" -o batch.qa
check "qa decode batch mode" "$LLMZ" qa decode --slm "$TINY" --prompt-file problem.txt batch.qa -o batch.txt
check "qa encode candidates mode (SmolLM2 samples, self oracle, -T 2)" "$LLMZ" qa encode --slm "$REAL" -T 2 \
  --question-mode candidates --oracle-mode self --prompt-file problem.txt "${SMALL[@]}" -o cand.qa --json
cp out.txt candidates.json
check "candidates: questions name final answers" python3 -c "import json; j = json.load(open('candidates.json')); assert j['turns'] and all(t['question'].startswith('Is the correct final answer to the problem ') for t in j['turns']), j"
check "qa decode candidates -T 1, prompts found by the file's hash" sh -c "'$LLMZ' qa decode --slm '$REAL' -T 1 --prompt-file problem.txt cand.qa > cand.txt &&
  python3 -c 'import json; assert open(\"cand.txt\").read() == json.load(open(\"candidates.json\"))[\"final_answer\"] + \"\\n\"'"
check "info names candidates mode" sh -c "'$LLMZ' info cand.qa | grep -q candidates"
expect_error "candidates mode with prompts that have no candidate templates" 1 "candidate_question" nocand.qa \
  "$LLMZ" qa encode --slm "$TINY" --oracle-mode self --question-mode candidates --prompts "$HERE/../prompts/qa-v1.json" \
  --prompt-file problem.txt -o nocand.qa
check "qa encode self mode needs no oracle" "$LLMZ" qa encode --slm "$TINY" --oracle-mode self --llm /nonexistent.gguf \
  --prompt-file problem.txt "${SMALL[@]}" -o self.qa
check "info on a .qa file" sh -c "'$LLMZ' info x.qa | grep -q 'question asking'"
check "info --json on a .qa file" sh -c "'$LLMZ' info --json x.qa | python3 -c 'import json,sys; j = json.load(sys.stdin); assert j[\"mode\"] == \"qa\" and j[\"questions\"] == 3 and 1 <= j[\"answers\"] <= 3, j'"

# Damaged or mismatched inputs.
head -c 40 x.qa >cut.qa
expect_error "truncated .qa" 3 "truncated" cut.txt "$LLMZ" qa decode --slm "$TINY" --prompt-file problem.txt cut.qa -o cut.txt
cp batch.qa flip.qa
printf '\x55' | dd of=flip.qa bs=1 seek=20 conv=notrunc status=none
expect_error "flipped .qa byte" 3 "damaged" flip.txt "$LLMZ" qa decode --slm "$TINY" --prompt-file problem.txt flip.qa -o flip.txt
expect_error "wrong SLM" 4 "made with SLM" wrong.txt "$LLMZ" qa decode --slm "$OTHER" --prompt-file problem.txt batch.qa -o wrong.txt
echo "Another problem." >other.txt
expect_error "other prompt" 1 "prompt differs" o.txt "$LLMZ" qa decode --slm "$TINY" --prompt-file other.txt batch.qa -o o.txt
expect_error "no prompt" 1 "no prompt" "" "$LLMZ" qa decode --slm "$TINY" batch.qa
expect_error "not a .qa file" 3 "not an llmz QA file" "" "$LLMZ" qa decode --slm "$TINY" --prompt-file problem.txt problem.txt
expect_error "existing output" 2 "already exists" "" "$LLMZ" qa encode --slm "$TINY" --llm "$OTHER" --prompt-file problem.txt -o x.qa
expect_error "gold mode without gold" 1 "gold" nogold.qa "$LLMZ" qa encode --slm "$TINY" --llm "$OTHER" --oracle-mode gold-reference \
  --prompt-file problem.txt "${SMALL[@]}" -o nogold.qa
echo '{"version": "x"}' >prompts.json
expect_error "bad prompt file" 1 "missing" p.qa "$LLMZ" qa encode --slm "$TINY" --llm "$OTHER" --prompts prompts.json \
  --prompt-file problem.txt -o p.qa

# start_server LOG ARGS...: starts `llmz serve` on a free port, sets PORT.
start_server() {
  local log=$1; shift
  "$LLMZ" serve --port 0 "$@" 2>"$log" &
  pids+=($!)
  for _ in $(seq 100); do
    PORT=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/v1.*#\1#p' "$log")
    [[ -n $PORT ]] && return 0
    sleep 0.1
  done
  echo "server did not start:"; cat "$log"; return 1
}

start_server serve.log -m "$OTHER" --max-sessions 3 --max-request-bytes 4096 --session-ttl 2 --max-reference-tokens 16
check "ask against llmz serve" sh -c "'$LLMZ' ask --slm '$TINY' --oracle http://127.0.0.1:$PORT/v1 ${SMALL[*]} --prompt-file problem.txt > ask.txt &&
  grep -q 'final answer' ask.txt && grep -q 'answer bits' ask.txt"
check "server API: bad requests, limits, concurrency, expiry" python3 - "$PORT" <<'PY'
import json, sys, time, threading, urllib.request, urllib.error
base = f"http://127.0.0.1:{sys.argv[1]}/v1"
def call(method, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            return r.status, json.loads(text) if text else {}
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
ok = {"problem": "2+2?", "attempt": "4"}
assert call("GET", "/health")[0] == 200
assert call("POST", "/sessions", raw=b"{not json")[0] == 400
assert call("POST", "/sessions", {"attempt": "4"})[0] == 400
assert call("POST", "/sessions", {**ok, "mode": "self"})[0] == 400
assert call("POST", "/sessions", {**ok, "mode": "gold-reference"})[0] == 400
code, body = call("POST", "/sessions", {"problem": "x" * 5000, "attempt": "4"})
assert code == 413, (code, body)
assert call("POST", "/sessions/0123abcd/questions", {"question": "Is it 4?"})[0] == 404
assert call("POST", "/nowhere", {})[0] == 404
# Three sessions answered concurrently; a fourth is refused while they are open.
ids = [call("POST", "/sessions", ok)[1]["session"] for _ in range(3)]
assert call("POST", "/sessions", ok)[0] == 503
results = {}
def ask(i, sid):
    results[i] = [call("POST", f"/sessions/{sid}/questions", {"question": f"Is it {k}?"}) for k in range(3)]
threads = [threading.Thread(target=ask, args=(i, s)) for i, s in enumerate(ids)]
for t in threads: t.start()
for t in threads: t.join()
for replies in results.values():
    for code, body in replies:
        assert code == 200 and body["bit"] in (0, 1) and body["answer"] in ("yes", "no"), (code, body)
assert call("POST", f"/sessions/{ids[0]}/questions", {})[0] == 400
assert call("DELETE", f"/sessions/{ids[0]}")[0] == 204
assert call("DELETE", f"/sessions/{ids[0]}")[0] == 404
time.sleep(2.5)  # idle sessions expire after --session-ttl 2
assert call("POST", f"/sessions/{ids[1]}/questions", {"question": "Is it 4?"})[0] == 404
assert call("GET", "/health")[1]["sessions"] == 0
PY

start_server keyed.log -m "$OTHER" --api-key s3cret --max-reference-tokens 16
check "server refuses a missing API key" python3 -c "
import urllib.request, urllib.error
try:
    urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$PORT/v1/sessions', data=b'{}', method='POST'))
    raise SystemExit('accepted')
except urllib.error.HTTPError as e:
    assert e.code == 401, e.code"
check "ask with the API key" "$LLMZ" ask -q --slm "$TINY" --oracle "http://127.0.0.1:$PORT/v1" --api-key s3cret "${SMALL[@]}" "What is 2+2?"
expect_error "ask with a wrong API key" 1 "401" "" "$LLMZ" ask -q --slm "$TINY" --oracle "http://127.0.0.1:$PORT/v1" --api-key wrong "${SMALL[@]}" "What is 2+2?"
expect_error "ask a server that is down" 2 "cannot reach" "" "$LLMZ" ask -q --slm "$TINY" --oracle http://127.0.0.1:9/v1 --retries 1 "${SMALL[@]}" "What is 2+2?"

# The OpenAI-compatible oracle against a real llama-server serving SmolLM2. (--no-repack: the repacked
# AMX kernels stop with SIGILL where the OS does not grant AMX, as in our sandbox.)
LPORT=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$LLAMA_SERVER" -m "$REAL" --host 127.0.0.1 --port "$LPORT" -c 2048 -np 1 --no-repack >llama.log 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$LPORT/health" 300 || LPORT=""
check "llama-server is up" test -n "$LPORT"
check "qa encode with llama-server as oracle" "$LLMZ" qa encode --slm "$TINY" --oracle-url "http://127.0.0.1:$LPORT/v1" \
  --prompt-file problem.txt "${SMALL[@]}" "${REF[@]}" -o http.qa
check "qa decode of the llama-server run" "$LLMZ" qa decode --slm "$TINY" --prompt-file problem.txt http.qa
# A scripted OpenAI-compatible endpoint: replies "Maybe" to every request after answering 503 to the
# first one, so retries and the policy for replies that are neither yes nor no are exercised.
FPORT=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
python3 - "$FPORT" >fake.log 2>&1 <<'PY' &
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
calls = [0]
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def do_POST(self):
        request = self.rfile.read(int(self.headers["Content-Length"]))
        with open("fake-requests.jsonl", "ab") as log:
            log.write(request + b"\n")
        calls[0] += 1
        if calls[0] == 1:
            self.send_response(503); self.end_headers(); self.wfile.write(b'{"error": "busy"}'); return
        body = json.dumps({"choices": [{"message": {"role": "assistant", "content": "Maybe, it depends."}}]}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers()
        self.wfile.write(body)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
pids+=($!)
wait_http "http://127.0.0.1:$FPORT/health" 30
check "unclear replies count as no, with a warning (after a 503 retry)" sh -c "'$LLMZ' qa encode --slm '$TINY' \
  --oracle-url http://127.0.0.1:$FPORT/v1 --prompt-file problem.txt ${SMALL[*]} ${REF[*]} -o maybe.qa 2>&1 | grep -q 'oracle replies were neither yes nor no'"
check "all-no answers decode" "$LLMZ" qa decode --slm "$TINY" --prompt-file problem.txt maybe.qa
# With oracle_followup the own-reference oracle asks each question after its own solution, as a
# conversation: user (the solution request), assistant (the solution), user (the question).
python3 - "$HERE/../prompts/qa-v1.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["version"] = "qa-v1-followup"
p["oracle_followup"] = "Take your solution as right. A student asks: {question}\nAnswer with Yes or No only."
json.dump(p, open("followup.json", "w"))
PY
rm -f fake-requests.jsonl
check "qa encode with a follow-up oracle prompt" sh -c "'$LLMZ' qa encode --slm '$TINY' --prompts followup.json \
  --oracle-url http://127.0.0.1:$FPORT/v1 --prompt-file problem.txt ${SMALL[*]} ${REF[*]} -o followup.qa 2>/dev/null"
check "the questions came as the third turn after the oracle's solution" python3 -c "
import json
requests = [json.loads(l) for l in open('fake-requests.jsonl')]
assert [m['role'] for m in requests[0]['messages']] == ['user'], requests[0]
asked = requests[1:]
assert asked and all([m['role'] for m in r['messages']] == ['user', 'assistant', 'user'] for r in asked), asked
assert all(r['messages'][1]['content'] == 'Maybe, it depends.' for r in asked)
assert all(r['messages'][2]['content'].startswith('Take your solution as right. A student asks: ') for r in asked)
"
check "its answers decode with the same prompts" "$LLMZ" qa decode --slm "$TINY" --prompts followup.json \
  --prompt-file problem.txt followup.qa
expect_error "unclear replies with --unclear fail" 4 "neither yes nor no" strict.qa "$LLMZ" qa encode --slm "$TINY" \
  --oracle-url "http://127.0.0.1:$FPORT/v1" --unclear fail --prompt-file problem.txt "${SMALL[@]}" "${REF[@]}" -o strict.qa

finish
