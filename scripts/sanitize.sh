#!/usr/bin/env bash
# Builds llmz in Debug (assertions on) with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-sanitize/ and runs the test suite there. Any sanitizer report fails the test that caused it.
# Usage: scripts/sanitize.sh [CTEST ARGS...]   (e.g. -R 'unit|model' for a shorter run)
# Needs the set-up (scripts/setup.sh) to have run: it reuses its llama.cpp and models.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/data_dir.sh
# No Python module: one built with AddressSanitizer does not load into a Python built without it.
scripts/configure.sh . build-sanitize -DCMAKE_BUILD_TYPE=Debug -DLLMZ_SANITIZE=ON -DLLMZ_PYTHON=OFF
cmake --build build-sanitize -j "$(nproc)"
# detect_leaks=0: llama.cpp's backend registry keeps its allocations until exit, by design.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# -LE emulated: AddressSanitizer's shadow memory cannot be mapped under QEMU user mode, so the
# emulated-CPU test runs in the plain build only (scripts/test.sh).
ctest --test-dir build-sanitize --output-on-failure -j 2 -LE emulated "$@"
