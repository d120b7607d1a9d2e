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
