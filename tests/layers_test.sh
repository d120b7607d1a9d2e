#!/usr/bin/env bash
# The architecture's layers (docs/ARCHITECTURE.md), checked on the includes: no file includes a header
# of a higher layer, the public headers include only public headers, and the CLI uses only the public
# API (plus src/common and its own files). The build checks the same on the links (layer_check_*).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/check.sh"
enter_scratch

# The layer of a folder of src/ or of a public header, by name.
layer_of() {
  case $1 in
    common | coding | model | lossless | llmz/llmz.h) echo 1 ;;
    routing | lossy | qa | archive | llmz/route.h | llmz/lossy.h | llmz/qa.h | llmz/archive.h) echo 2 ;;
    serve | eval | lora | llmz/serve.h | llmz/eval.h | llmz/lora.h) echo 3 ;;
    cli) echo 4 ;;
    *) echo "?" ;;
  esac
}

# Every quoted include of every file: FILE TARGET.
includes() {
  grep -o '^#include "[^"]*"' "$@" | sed -E 's/:#include "(.*)"$/ \1/'
}

wrong=""
while read -r file target; do
  dir=${file#src/}; dir=${dir%%/*}
  [[ $file == include/* ]] && from=$(layer_of "llmz/$(basename "$file")") || from=$(layer_of "$dir")
  case $target in
    llmz/*) to=$(layer_of "$target") ;;
    */*) to=$(layer_of "${target%%/*}") ;;
    *) continue ;;  # generated or third-party headers (default_prompts.h, llama.h)
  esac
  if [[ $from == "?" || $to == "?" ]]; then
    wrong+="  $file includes $target: folder not in a layer\n"
  elif ((to > from)); then
    wrong+="  $file (layer $from) includes $target (layer $to)\n"
  elif [[ $file == include/* && $target != llmz/* ]]; then
    wrong+="  public header $file includes internal $target\n"
  elif [[ $dir == cli && $target != llmz/* && $target != cli/* && $target != common/* ]]; then
    wrong+="  $file includes internal $target (the CLI uses the public API)\n"
  fi
done < <(cd "$ROOT" && includes $(git ls-files 'src/*.h' 'src/*.cpp' 'include/*.h'))
if [[ -z $wrong ]]; then echo "ok   includes run from higher layers to lower ones only"; else
  echo "FAIL includes against the layers:"; printf "%b" "$wrong"; failures=$((failures + 1)); fi

check "Model::impl() is not in the public headers" bash -c "! grep -n 'impl()' '$ROOT'/include/llmz/*.h"
unplaced=""
for d in "$ROOT"/src/*/; do [[ $(layer_of "$(basename "$d")") == "?" ]] && unplaced+=" $(basename "$d")"; done
if [[ -z $unplaced ]]; then echo "ok   every folder of src/ is in a layer"; else
  echo "FAIL folders in no layer:$unplaced"; failures=$((failures + 1)); fi
finish
