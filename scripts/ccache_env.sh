# Sourced by the build scripts: compile through ccache when it is installed (scripts/setup.sh installs
# it), so that a fresh clone on a machine that has built llmz before, as CI's is, recompiles only what
# changed. The cache lives outside the checkout (ccache's own, ~/.cache/ccache). Paths under the
# checkout are hashed relative to the build folder and the build folder itself is not hashed, so a
# clone elsewhere hits the same entries; everything else (flags, definitions, headers) is hashed as usual.
if command -v ccache >/dev/null; then
  _llmz_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  # CMake takes these as the default launchers of a build tree configured afresh.
  export CMAKE_C_COMPILER_LAUNCHER="env;CCACHE_BASEDIR=$_llmz_root;CCACHE_NOHASHDIR=1;ccache"
  export CMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_C_COMPILER_LAUNCHER
  unset _llmz_root
fi
