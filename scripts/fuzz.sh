#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cc) with clang, ASan and UBSan in build-fuzz/
# and runs them.
#
# Usage: scripts/fuzz.sh [--replay] [--save] [SECONDS] [TARGET...]
#   SECONDS   how long each target fuzzes (default 60)
#   TARGET    target names without "_fuzz" (url, robots, html, config...); default: all
#   --replay  no fuzzing: run each target once over its seed corpus and
#             tests/fuzz/regressions/<name>/ (what a fixed crash must keep passing)
#   --save    merge the new inputs the run found into tests/fuzz/corpus/<name>/ afterwards
# The build folder is build-fuzz/ unless CRAWLER_FUZZ_BUILD_DIR names another. Fuzzing starts
# from a copy of the seed corpus in <build>/fuzz-run/<name>/corpus, so the repository is only
# written with --save. A crash, leak, timeout or OOM fails the script and
# prints the reproducer path; replay it with <build>/tests/fuzz/<name>_fuzz <file>.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

replay=0
save=0
seconds=60
targets=()
for arg in "$@"; do
  case "$arg" in
    --replay) replay=1 ;;
    --save) save=1 ;;
    -h | --help)
      sed -n '2,16p' "$0"
      exit 0
      ;;
    *[!0-9]*) targets+=("$arg") ;;
    *) seconds=$arg ;;
  esac
done

"$root/scripts/install-deps.sh"

build="${CRAWLER_FUZZ_BUILD_DIR:-$root/build-fuzz}"
echo "=== fuzz: configure and build ($build)"
mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCRAWLER_FUZZ=ON -DCRAWLER_BUILD_BENCH=OFF >"$build/configure.log" 2>&1 || {
  cat "$build/configure.log"
  exit 1
}
cmake --build "$build" -j "$(nproc)" --target fuzzers

if [ ${#targets[@]} -eq 0 ]; then
  for source in "$root"/tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" _fuzz.cc)
    targets+=("$name")
  done
fi

# Longest input per target: long enough for every construct the target parses, short enough to
# keep executions fast (a robots.txt or page far longer only repeats what a short one holds).
max_len_for() {
  case "$1" in
    url) echo 1024 ;;
    robots) echo 4096 ;;
    config) echo 4096 ;;
    *) echo 16384 ;;
  esac
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

failed=()
for name in "${targets[@]}"; do
  binary="$build/tests/fuzz/${name}_fuzz"
  seeds="$root/tests/fuzz/corpus/$name"
  regressions="$root/tests/fuzz/regressions/$name"
  dict="$root/tests/fuzz/$name.dict"
  if [ ! -x "$binary" ]; then
    echo "fuzz: no target '$name' (expected tests/fuzz/${name}_fuzz.cc)" >&2
    exit 2
  fi
  work="$build/fuzz-run/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [ -d "$seeds" ]; then cp -r "$seeds/." "$work/corpus/"; fi
  options=(-max_len="$(max_len_for "$name")" -rss_limit_mb=2048 -timeout=20
    -artifact_prefix="$work/artifacts/" -print_final_stats=1)
  [ -f "$dict" ] && options+=(-dict="$dict")
  log="$work/fuzz.log"
  if [ "$replay" -eq 1 ]; then
    echo "=== fuzz: $name: replay seeds and regressions"
    # Files (not folders) are run once each, whole: -max_len does not cut them.
    mapfile -t inputs < <(find "$work/corpus" "$regressions" -type f 2>/dev/null | sort)
    status=0
    if [ ${#inputs[@]} -gt 0 ]; then
      "$binary" "${options[@]}" "${inputs[@]}" >"$log" 2>&1 || status=$?
      echo "replayed ${#inputs[@]} inputs"
    fi
  else
    echo "=== fuzz: $name: ${seconds}s"
    # New inputs go to the first folder; the regressions are read (and so replayed) first.
    inputs=("$work/corpus")
    [ -d "$regressions" ] && inputs+=("$regressions")
    status=0
    "$binary" "${options[@]}" -max_total_time="$seconds" "${inputs[@]}" >"$log" 2>&1 ||
      status=$?
  fi
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    reproducer=$(ls "$work"/artifacts/* 2>/dev/null | head -n 1 || true)
    echo "fuzz: $name FAILED (exit $status); reproducer: ${reproducer:-none}; log: $log" >&2
    failed+=("$name")
    continue
  fi
  if [ "$save" -eq 1 ] && [ "$replay" -eq 0 ]; then
    mkdir -p "$seeds"
    "$binary" "${options[@]}" -merge=1 "$seeds" "$work/corpus" >>"$log" 2>&1
    echo "fuzz: $name: corpus merged into $seeds ($(ls "$seeds" | wc -l) files)"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "=== fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "=== fuzz: all targets passed"
