#!/usr/bin/env bash
# The crawl benchmark (not part of ctest): installs nginx and the peer crawlers, builds a
# Release crawler, serves a generated site with nginx on 127.0.0.1 and crawls it with crawler,
# wget, wget2, httrack, Scrapy and Crawlee at the same concurrency. Writes results.md,
# results.json and PNG charts into the output folder (default bench-out/) and prints the table.
# Usage: scripts/bench.sh [--pages N] [--concurrency N] [--tools a,b] [--scale] [--pydocs]
#                         [--out DIR] ...      (scripts/bench.sh --help lists every option)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

for arg in "$@"; do
  if [ "$arg" = "-h" ] || [ "$arg" = "--help" ]; then
    exec /usr/bin/python3 "$root/scripts/bench/bench.py" --help
  fi
done

"$root/scripts/install-deps.sh"
"$root/scripts/install-bench-deps.sh" "$root/build-bench/node"
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCRAWLER_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build-release" -j "$(nproc)" --target crawler
exec /usr/bin/python3 "$root/scripts/bench/bench.py" --crawler "$root/build-release/app/crawler" \
  --node-dir "$root/build-bench/node" "$@"
