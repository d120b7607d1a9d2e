#!/usr/bin/env bash
# Cross-builds llama.cpp and llmz for aarch64 (Debian's cross toolchain) and runs the aarch64 llmz
# under QEMU user mode on portable-profile fixtures made on x86-64, to show what a user on an ARM
# machine gets. Prints a report; exits non-zero if the result is not a clear refusal or an exact decode.
#   scripts/cross_aarch64.sh        (needs: dpkg --add-architecture arm64, then the packages below)
# Packages: g++-aarch64-linux-gnu qemu-user libzstd-dev:arm64 libxxhash-dev:arm64
#           libcpp-httplib-dev:arm64 libgomp1:arm64. Slow (llama.cpp once more: about 10 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache=${LLMZ_CACHE:-$HOME/.cache/llmz}
src=$(dirname "$(scripts/build_llama.sh | tail -n 1)")/src
dir=$cache/llama.cpp-aarch64
cross=(-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
  -DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++
  -DCMAKE_FIND_ROOT_PATH=/usr/aarch64-linux-gnu -DCMAKE_BUILD_TYPE=Release)
if [[ ! -f $dir/install/.complete ]]; then
  cmake -S "$src" -B "$dir/build" -G Ninja "${cross[@]}" -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON \
    -DGGML_NATIVE=OFF -DGGML_OPENMP=ON -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
    -DCMAKE_INSTALL_PREFIX="$dir/install" >&2
  cmake --build "$dir/build" -j "$(nproc)" >&2
  cmake --install "$dir/build" >&2
  mkdir -p "$dir/install/include/llama-internal"
  cp "$src/src/"*.h "$dir/install/include/llama-internal/"
  touch "$dir/install/.complete"
fi
PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
  cmake -S . -B build-aarch64 -G Ninja "${cross[@]}" -DCMAKE_PREFIX_PATH="$dir/install" \
  -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH -DLLMZ_BUILD_TESTS=OFF >&2
cmake --build build-aarch64 -j "$(nproc)" --target llmz-cli >&2

run() { QEMU_LD_PREFIX=/usr/aarch64-linux-gnu LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu qemu-aarch64 build-aarch64/llmz "$@"; }
echo "aarch64 llmz under qemu-aarch64: $(run --version 2>&1 | head -1)"
status=0
for f in tests/data/portable/*/hello.txt.llmz; do
  set +e
  out=$(run -q -d -c -m models/SmolLM2-135M-Instruct.Q8_0.gguf "$f" 2>&1)
  rc=$?
  set -e
  echo "$f: exit $rc: $out"
  if [[ $rc -eq 0 ]]; then
    [[ $out == "$(cat "${f%.llmz}")" ]] || { echo "  WRONG OUTPUT"; status=1; }
  elif [[ $rc -ne 4 || $out != *"runs on x86-64 CPUs; this machine is aarch64"* ]]; then
    status=1
  fi
done
exit $status
