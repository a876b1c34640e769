#!/usr/bin/env bash
# Style checks that fail the test run: clang-format (every C++ file matches .clang-format) and
# clang-tidy with the root .clang-tidy (bug-prone patterns, performance, and the naming
# convention: snake_case functions, CamelCase types, kCamelCase constants), warnings as errors.
# Usage: scripts/lint.sh BUILD_DIR   (a configured build folder with compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: lint.sh BUILD_DIR}

mapfile -t sources < <(git ls-files '*.cc' '*.h' | grep -v '^tests/fuzz/corpus/')
echo "=== lint: clang-format (${#sources[@]} files)"
clang-format --dry-run --Werror "${sources[@]}"

# Translation units only (headers are checked through them, HeaderFilterRegex); the fuzz
# targets are built only in the clang fuzz build, so they are not in this compile database.
mapfile -t units < <(git ls-files '*.cc' | grep -v '^tests/fuzz/')
echo "=== lint: clang-tidy (${#units[@]} translation units)"
printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet --warnings-as-errors='*' 2>/dev/null
