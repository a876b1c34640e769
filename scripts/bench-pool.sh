#!/usr/bin/env bash
# Builds and runs the worker-pool benchmark (not part of ctest) and prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRAWLER_BUILD_BENCH=ON >/dev/null
cmake --build build-bench --target pool_bench
./build-bench/tests/pool_bench "$@"
