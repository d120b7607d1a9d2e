#!/usr/bin/env bash
# Builds llama.cpp (CPU) from the git bundle shipped in the npm package node-llama-cpp, and installs it
# into a cache folder outside the checkout, keyed by version and flags, so reruns take a second.
# Prints the install prefix on stdout (last line). Everything else goes to stderr.
#
# The CPU backend is a module loaded at run time, one per compute profile (docs/FORMAT.md): files name
# the profile they were coded with. Built: x86-64-v3 (the portable profile: the same instructions on
# every CPU that has them) and native (the fastest for this CPU kind, files decode on the same kind).
set -euo pipefail

NODE_LLAMA_CPP_VERSION=3.21.1
LLAMA_RELEASE=v0.4.0
CACHE_ROOT=${LLMZ_CACHE:-$HOME/.cache/llmz}
FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=ON
  -DGGML_BACKEND_DL=ON
  -DGGML_NATIVE=OFF
  -DGGML_OPENMP=ON
  -DLLAMA_BUILD_COMMON=OFF
  -DLLAMA_BUILD_TOOLS=OFF
  -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_SERVER=OFF
  -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF
  -DLLAMA_OPENSSL=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
)
# The portable profile, x86-64-v3: what the main build compiles its CPU backend for.
V3_FLAGS=(-DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_F16C=ON -DGGML_FMA=ON -DGGML_AVX2=ON -DGGML_BMI2=ON)
key=$(printf '%s\n' "$NODE_LLAMA_CPP_VERSION" "$LLAMA_RELEASE" "${FLAGS[@]}" "${V3_FLAGS[@]}" "$(uname -m)" | sha256sum | cut -c1-12)
dir="$CACHE_ROOT/llama.cpp-$LLAMA_RELEASE-$key"
prefix="$dir/install"

# The native profile: ggml's CPU backend compiled with -march=native (as llama.cpp's GGML_NATIVE, which
# it refuses to combine with loadable backends). One module per CPU kind, since the cache may outlive
# the machine: llmz loads the one whose .flags file holds this CPU's /proc/cpuinfo flags.
cpu_flags() { grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 | xargs; }
build_native() {
  local flags key build module
  flags=$(cpu_flags)
  key=$(printf '%s' "$flags" | sha256sum | cut -c1-12)
  module="$profile_dir/libggml-cpu-native-$key.so"
  [[ -f "$module" && -f "${module%.so}.flags" ]] && return 0
  echo "llama.cpp: building the CPU backend of the native profile for this CPU kind (a few minutes on 2 cores)" >&2
  build="$dir/build-cpu-native-$key"
  local off=()
  for f in SSE42 AVX AVX2 BMI2 AVX_VNNI FMA F16C AVX512 AVX512_VBMI AVX512_VNNI AVX512_BF16 AMX_TILE AMX_INT8 AMX_BF16; do
    off+=("-DGGML_$f=OFF")
  done
  cmake -S "$dir/src" -B "$build" -G Ninja "${FLAGS[@]}" "${off[@]}" \
    -DCMAKE_C_FLAGS=-march=native -DCMAKE_CXX_FLAGS=-march=native >&2
  cmake --build "$build" --target ggml-cpu -j "$(nproc)" >&2
  mkdir -p "$profile_dir"
  cp "$build/bin/libggml-cpu.so" "$module.tmp"
  printf '%s\n' "$flags" >"${module%.so}.flags"
  mv "$module.tmp" "$module"
}

(($# == 0)) || { echo "usage: scripts/build_llama.sh (no arguments)" >&2; exit 1; }
profile_dir="$prefix/lib/llmz-cpu"

# llama-server (the OpenAI-compatible endpoint the QA tests talk to), built in the same tree afterwards
# and only as that one target, so the library build and its cache key stay as they are.
build_server() {
  [[ -x "$prefix/bin/llama-server" ]] && return 0
  echo "llama.cpp: building llama-server (a few minutes on 2 cores)" >&2
  cmake -S "$dir/src" -B "$dir/build" -G Ninja "${FLAGS[@]}" "${V3_FLAGS[@]}" -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_TOOLS_INSTALL=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >&2
  cmake --build "$dir/build" --target llama-server -j "$(nproc)" >&2
  mkdir -p "$prefix/bin"
  cp "$dir/build/bin/llama-server" "$prefix/bin/llama-server.tmp"
  mv "$prefix/bin/llama-server.tmp" "$prefix/bin/llama-server"
}

# LoRA training (src/lora/train.cpp) needs two things llama.cpp's public API lacks: marking an
# adapter's tensors trainable (llama-adapter.h) and the context's scheduler (llama-context.h, which
# includes most of the other internal headers). All of them come from the same source tree.
install_internal_headers() {
  [[ -f "$prefix/include/llama-internal/llama-context.h" ]] && return 0
  mkdir -p "$prefix/include/llama-internal"
  cp "$dir/src/src/"*.h "$prefix/include/llama-internal/"
}

if [[ -f "$prefix/.complete" ]]; then
  echo "llama.cpp $LLAMA_RELEASE: cached at $prefix" >&2
  install_internal_headers
  build_native
  build_server
  echo "$prefix"
  exit 0
fi

mkdir -p "$dir"
if [[ ! -d "$dir/src/.git" ]]; then
  echo "llama.cpp: fetching node-llama-cpp@$NODE_LLAMA_CPP_VERSION from the npm registry" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null)
  tar -xzf "$tmp"/node-llama-cpp-*.tgz -C "$tmp" package/llama/gitRelease.bundle package/llama/binariesGithubRelease.json
  got=$(sed -n 's/.*"release": *"\([^"]*\)".*/\1/p' "$tmp/package/llama/binariesGithubRelease.json")
  if [[ "$got" != "$LLAMA_RELEASE" ]]; then
    echo "error: node-llama-cpp@$NODE_LLAMA_CPP_VERSION ships llama.cpp $got, expected $LLAMA_RELEASE" >&2
    exit 1
  fi
  rm -rf "$dir/src.tmp"
  git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$dir/src.tmp" 2>/dev/null
  mv "$dir/src.tmp" "$dir/src"
fi

echo "llama.cpp: building $LLAMA_RELEASE (about 6 minutes on 2 cores)" >&2
cmake -S "$dir/src" -B "$dir/build" -G Ninja "${FLAGS[@]}" "${V3_FLAGS[@]}" -DCMAKE_INSTALL_PREFIX="$prefix" >&2
cmake --build "$dir/build" -j "$(nproc)" >&2
cmake --install "$dir/build" >&2
mkdir -p "$profile_dir"
cp "$dir/build/bin/libggml-cpu.so" "$profile_dir/libggml-cpu-x86-64-v3.so"
# Tokenizer-only GGUFs used by tests to build tiny random-weight models.
mkdir -p "$prefix/share/llmz-vocab"
cp "$dir/src/models/ggml-vocab-llama-bpe.gguf" "$dir/src/models/ggml-vocab-gpt-2.gguf" "$prefix/share/llmz-vocab/"
touch "$prefix/.complete"
install_internal_headers
build_native
build_server
echo "$prefix"
