# Test helpers shared by the command-line test scripts (sourced). Each counts failures in $failures.

# The preamble of each script, right after sourcing this file: a scratch folder as the working
# directory, removed on exit after the script's own clean-up ($on_exit, e.g. stopping servers).
enter_scratch() {
  work=$(mktemp -d)
  trap 'eval "${on_exit:-}"; rm -rf "$work"' EXIT
  cd "$work" || exit 1
  failures=0
}

# The last line of each script: the count, and the exit status.
finish() {
  echo "$failures failure(s)"
  [[ $failures -eq 0 ]]
}

check() {  # check DESCRIPTION COMMAND...: the command must succeed (its stdout is kept in out.txt)
  local what=$1; shift
  if "$@" >out.txt 2>err.txt; then echo "ok   $what"; else echo "FAIL $what"; cat err.txt; failures=$((failures + 1)); fi
}

# expect_error DESCRIPTION EXIT_CODE MESSAGE_PART LEFTOVER_PATH COMMAND...
# The command must exit with EXIT_CODE, print one line naming the problem, and not create LEFTOVER_PATH.
expect_error() {
  local what=$1 code=$2 message=$3 leftover=$4; shift 4
  [[ -n $message ]] || { echo "FAIL $what: the test names no message (an empty one matches anything)"; failures=$((failures + 1)); return; }
  "$@" >out.txt 2>err.txt
  local rc=$?
  local problems=""
  [[ $rc -eq $code ]] || problems+=" exit $rc, expected $code;"
  grep -q -- "$message" err.txt || problems+=" message lacks '$message';"
  [[ $(wc -l <err.txt) -eq 1 ]] || problems+=" $(wc -l <err.txt) lines on stderr;"
  [[ -n $leftover && -e $leftover ]] && problems+=" left $leftover behind;"
  ls ./*.tmp* >/dev/null 2>&1 && problems+=" left a temporary file;"
  if [[ -z $problems ]]; then echo "ok   $what"; else echo "FAIL $what:$problems"; cat err.txt; failures=$((failures + 1)); fi
}

wait_http() {  # wait_http URL SECONDS: until URL answers 200
  python3 -c "
import sys, time, urllib.request
deadline = time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200:
            sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit(1)" "$1" "$2"
}

# The preamble of the cli_*_test.sh scripts: the binary and the models from the suite's environment,
# a scratch folder, and the inputs they share (made the same way every time).
cli_preamble() {
  LLMZ=$(realpath "${1:?usage: $(basename "$0") path/to/llmz}")
  TINY=${LLMZ_TINY_MODEL:?}
  OTHER=${LLMZ_TINY_MODEL_2:?}
  REAL=${LLMZ_MODELS_DIR:?}/SmolLM2-135M-Instruct.Q8_0.gguf
  enter_scratch
  python3 - <<'PY'
import random
random.seed(5)
words = "the river ran under winter ice while Alice said nothing to the queen of hearts".split()
text = " ".join(random.choice(words) for _ in range(1500)) + "\n"
open("text.txt", "w").write(text)
open("binary.bin", "wb").write(bytes(random.randrange(256) for _ in range(2000)))
PY
  : >empty.txt
  printf 'x' >one.txt
  echo "Write about a river in winter." >prompt.txt
}
