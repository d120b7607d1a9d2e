#!/usr/bin/env bash
# Installs everything llmz needs, builds it, fetches the default models, and shows it working.
# Idempotent: a second run reuses the cached llama.cpp build, the downloaded models and the build tree.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential cmake ninja-build pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev libxxhash-dev libzstd-dev libgtest-dev
  libbenchmark-dev libcpp-httplib-dev zstd xz-utils bzip2 gzip time
  bubblewrap python3  # the eval sandbox: bubblewrap and Debian's python3
  qemu-user  # tests: the portable compute profile on emulated CPUs
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer
  clang-format-14  # the code style (.clang-format), checked by the test suite
  ccache)  # rebuilds of a fresh clone compile only what changed (scripts/ccache_env.sh)
# Tools that may come from elsewhere than apt (e.g. nodejs from nodesource, python from pyenv).
declare -A APT_FOR_COMMAND=([git]=git [npm]=npm [python3]=python3)

step() { printf '\n== %s\n' "$*" >&2; }

step "system packages"
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
for c in "${!APT_FOR_COMMAND[@]}"; do command -v "$c" >/dev/null || missing+=("${APT_FOR_COMMAND[$c]}"); done
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]})); then
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all present" >&2
fi

step "llama.cpp"
scripts/build_llama.sh >/dev/null

step "Python packages: the bindings' build, pytest, Ray (pinned; from PyPI)"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
  nanobind==3.1.0 scikit-build-core==1.1.2 pytest==9.2.0 ray==2.60.0

step "llmz"
scripts/configure.sh . build -DCMAKE_BUILD_TYPE=Release -DLLMZ_PYTHON=ON
cmake --build build -j "$(nproc)"

step "models"
python3 scripts/fetch_models.py models
# The default model: a Q8_0 copy of the published Q4_1 file, made here (the same bytes on every machine
# with this llama.cpp release; files made with one copy decode with any other).
Q8_SHA256=7b46609d11703c058397e5cfe4cc6e4b2508cb1eb4c80ddc472a5d421fbdb508
if [[ ! -f models/SmolLM2-135M-Instruct.Q8_0.gguf ]]; then
  build/tools/llmz-requantize models/SmolLM2-135M-Instruct.Q4_1.gguf models/SmolLM2-135M-Instruct.Q8_0.gguf
fi
if ! echo "$Q8_SHA256  models/SmolLM2-135M-Instruct.Q8_0.gguf" | sha256sum -c --status; then
  echo "warning: models/SmolLM2-135M-Instruct.Q8_0.gguf differs from the reference copy ($Q8_SHA256);" \
    "files compressed with it will not decode with the reference copy, and vice versa" >&2
fi
build/llmz models

step "sample: compress and decompress docs/FORMAT.md with the default model"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp docs/FORMAT.md "$tmp/sample.txt"
build/llmz -q "$tmp/sample.txt"
build/llmz -q -d "$tmp/sample.txt.llmz" -o "$tmp/roundtrip.txt"
cmp "$tmp/sample.txt" "$tmp/roundtrip.txt"
printf 'sample.txt: %s bytes -> sample.txt.llmz: %s bytes; decompressed copy identical\n' \
  "$(stat -c %s "$tmp/sample.txt")" "$(stat -c %s "$tmp/sample.txt.llmz")"
echo "setup done: build/llmz is ready (see README.md)" >&2
