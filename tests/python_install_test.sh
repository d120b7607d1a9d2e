#!/usr/bin/env bash
# `pip install .` as the README says, into a scratch folder: the wheel builds from the repository
# (scikit-build-core, nanobind, llama.cpp from the set-up) and the installed package compresses.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/check.sh"
source "$ROOT/scripts/ccache_env.sh"
enter_scratch
TINY=${LLMZ_TINY_MODEL:?}
check "pip builds the wheel" python3 -m pip wheel -q --no-build-isolation --no-deps -w wheels "$ROOT"
check "pip installs it" python3 -m pip install -q --no-deps --target site wheels/llmz-*.whl
check "the installed package round-trips" env PYTHONPATH=site python3 -c "
import llmz, sys
assert llmz.__file__.startswith('$PWD/site'), llmz.__file__
m = llmz.Model('$TINY')
assert llmz.decompress(m, llmz.compress(m, b'installed', context='p'), context='p') == b'installed'"
finish
