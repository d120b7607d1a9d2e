#!/usr/bin/env bash
# Runs the whole test suite (after the set-up, which is quick when it has run before).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/data_dir.sh
ctest --test-dir build --output-on-failure -j 2 "$@"
