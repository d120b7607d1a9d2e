#!/usr/bin/env bash
# Configures a CMake build tree of llmz against the llama.cpp build of scripts/build_llama.sh:
#   scripts/configure.sh SOURCE_DIR BUILD_DIR [CMAKE_ARGS...]
# CMake caches where it found llama.cpp; a tree configured against another build (another cache key)
# is configured afresh, so it never links one build's library with another's headers or modules.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: scripts/configure.sh SOURCE_DIR BUILD_DIR [CMAKE_ARGS...]}
build=${2:?usage: scripts/configure.sh SOURCE_DIR BUILD_DIR [CMAKE_ARGS...]}
shift 2
prefix=$(scripts/build_llama.sh | tail -n 1)
source scripts/ccache_env.sh
fresh=()
if [[ -f $build/CMakeCache.txt ]] &&
  grep -o -E "/llama\.cpp-[^/]+/install" "$build/CMakeCache.txt" | grep -v -q -x -F "/$(basename "${prefix%/install}")/install"; then
  fresh=(--fresh)
fi
cmake "${fresh[@]}" -S "$src" -B "$build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" "$@" >/dev/null
