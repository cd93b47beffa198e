#!/usr/bin/env bash
# Sets up (installs missing packages), builds and runs the whole test suite:
#   1. optimised build, every test (unit, cli, ...)
#   2. ASan/UBSan build, unit, cli, integration and gui tests (the screenshot run excepted: Xvfb's
#      keyboard library trips ASan)
#   3. clang libFuzzer build, a short run of every fuzz target
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh test || exit 1

jobs="$(nproc)"
passed=0
failed=0
status=0

# Runs one preset end to end and adds its ctest counts to the totals.
run_preset() {
  local preset="$1"
  echo "=== $preset: configure and build"
  if ! cmake --preset "$preset" >"build/$preset-build.log" 2>&1 ||
     ! cmake --build --preset "$preset" -j "$jobs" >>"build/$preset-build.log" 2>&1; then
    cat "build/$preset-build.log"
    echo "=== $preset: BUILD FAILED"
    failed=$((failed + 1))
    status=1
    return
  fi
  echo "=== $preset: test"
  local log="build/$preset/ctest-summary.log"
  ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line total nfail
  line="$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)"
  if [ -n "$line" ]; then
    total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
    nfail="$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")"
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  [ "$rc" -eq 0 ] || status=1
}

mkdir -p build
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Cache hits across clones in different folders (CI builds a fresh clone every time).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
run_preset release
run_preset asan
if command -v clang++-14 >/dev/null; then
  run_preset fuzz
else
  echo "=== fuzz: skipped (clang++-14 not installed)"
fi


echo
echo "tests: $passed passed, $failed failed"
exit "$status"
