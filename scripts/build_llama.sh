#!/usr/bin/env bash
# Builds llama.cpp (CPU) from the git bundle shipped in the npm package node-llama-cpp, and installs it
# into a cache folder outside the checkout, keyed by version and flags, so reruns take a second.
# Prints the install prefix on stdout (last line). Everything else goes to stderr.
set -euo pipefail

NODE_LLAMA_CPP_VERSION=3.21.1
LLAMA_RELEASE=v0.4.0
CACHE_ROOT=${LLMZ_CACHE:-$HOME/.cache/llmz}
FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=OFF
  -DGGML_NATIVE=ON
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
key=$(printf '%s\n' "$NODE_LLAMA_CPP_VERSION" "$LLAMA_RELEASE" "${FLAGS[@]}" "$(uname -m)" | sha256sum | cut -c1-12)
dir="$CACHE_ROOT/llama.cpp-$LLAMA_RELEASE-$key"
prefix="$dir/install"

# llama-server (the OpenAI-compatible endpoint the QA tests talk to), built in the same tree afterwards
# and only as that one target, so the library build and its cache key stay as they are.
build_server() {
  [[ -x "$prefix/bin/llama-server" ]] && return 0
  echo "llama.cpp: building llama-server (a few minutes on 2 cores)" >&2
  cmake -S "$dir/src" -B "$dir/build" -G Ninja "${FLAGS[@]}" -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON \
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
cmake -S "$dir/src" -B "$dir/build" -G Ninja "${FLAGS[@]}" -DCMAKE_INSTALL_PREFIX="$prefix" >&2
cmake --build "$dir/build" -j "$(nproc)" >&2
cmake --install "$dir/build" >&2
# Tokenizer-only GGUFs used by tests to build tiny random-weight models.
mkdir -p "$prefix/share/llmz-vocab"
cp "$dir/src/models/ggml-vocab-llama-bpe.gguf" "$dir/src/models/ggml-vocab-gpt-2.gguf" "$prefix/share/llmz-vocab/"
touch "$prefix/.complete"
install_internal_headers
build_server
echo "$prefix"
