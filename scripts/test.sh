#!/usr/bin/env bash
# The test command: installs dependencies, builds, runs every test with ctest, checks the style
# (scripts/lint.sh: clang-format, clang-tidy), runs every test again under AddressSanitizer+UBSan
# and under ThreadSanitizer (separate build folders), then runs every fuzz target for 30 s
# (scripts/fuzz.sh; a clang build, which also checks the thread-safety annotations).
# Usage: scripts/test.sh [--quick]   (--quick: the plain build only, no lint or sanitizer builds)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

"$root/scripts/install-deps.sh"

jobs=$(nproc)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

run_suite() {
  local name=$1 dir=$2
  shift 2
  echo "=== $name: configure and build ($dir)"
  cmake -S "$root" -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || {
    cat "$dir.configure.log"
    return 1
  }
  cmake --build "$dir" -j "$jobs"
  echo "=== $name: ctest"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900)
}

mkdir -p "$root/build-test"
run_suite "plain" "$root/build-test/plain" -DCMAKE_BUILD_TYPE=RelWithDebInfo

if [ "$quick" -eq 0 ]; then
  "$root/scripts/lint.sh" "$root/build-test/plain"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  run_suite "asan+ubsan" "$root/build-test/asan" -DCMAKE_BUILD_TYPE=Debug \
    -DCRAWLER_SANITIZE=address -DCRAWLER_BUILD_BENCH=OFF
  unset ASAN_OPTIONS UBSAN_OPTIONS
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp"
  run_suite "tsan" "$root/build-test/tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCRAWLER_SANITIZE=thread -DCRAWLER_BUILD_BENCH=OFF
  unset TSAN_OPTIONS
  CRAWLER_FUZZ_BUILD_DIR="$root/build-test/fuzz" "$root/scripts/fuzz.sh" 30
fi
echo "=== all test suites passed"
