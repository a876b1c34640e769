#!/usr/bin/env bash
# The main job end to end: installs dependencies, builds, serves the bundled sample site on
# 127.0.0.1, crawls it with config/demo.yaml, prints the summary and where the results are.
# Usage: scripts/run.sh [PAGES]   (default 500 pages)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pages=${1:-500}

"$root/scripts/install-deps.sh"
build="$root/build-release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRAWLER_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target crawler sample_site_server

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$build/tests/sample_site_server" --bind 127.0.0.1 --port 0 --pages "$pages" \
  --port-file "$work/port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "run.sh: the sample site server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
port=$(cat "$work/port")
echo "sample site: $pages pages at http://127.0.0.1:$port/"

rm -rf "$root/demo-out"
"$build/app/crawler" --config "$root/config/demo.yaml" --seed "http://127.0.0.1:$port/" --out "$root/demo-out"
echo "records: $(wc -l <"$root/demo-out/pages.jsonl") lines in $root/demo-out/pages.jsonl"
echo "first record:"
head -n 1 "$root/demo-out/pages.jsonl" | cut -c1-400
