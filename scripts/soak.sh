#!/usr/bin/env bash
# Soak test: crawls a generated site of 100,000 pages on 127.0.0.1 mixed with a host of faults
# on 127.0.0.2 (stalls, trickles, resets, wrong lengths, gzip bombs, garbage, redirect loops,
# huge headers; tests/soak_server_main.cc) for about MINUTES minutes, sampling the crawler's
# resident memory and open file descriptors every second.
# Fails when either keeps growing after the first minute (the highest value in the last half of
# the samples after that minute exceeds the highest in its first half by more than 10% + 4 MiB
# for RSS, by more than 8 for descriptors), or when a page of the site is lost or any URL is
# recorded twice.
# Usage: scripts/soak.sh [MINUTES] [PAGES]   (default 10 minutes, 100000 pages)
# The politeness delay is set so the site takes about MINUTES to crawl.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
minutes=${1:-10}
pages=${2:-100000}

"$root/scripts/install-deps.sh"
build="$root/build-release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRAWLER_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target crawler soak_server

work=$(mktemp -d)
server_pid=""
crawler_pid=""
cleanup() {
  for pid in $crawler_pid $server_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$build/tests/soak_server" --pages "$pages" --faults 400 --dir "$work" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do [ -e "$work/ready" ] && break; sleep 0.1; done
[ -e "$work/ready" ] || { echo "soak: the soak server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
site=$(cat "$work/site-url")
faults=$(cat "$work/fault-url")
delay_us=$((minutes * 60 * 1000000 / pages))
delay_ms=$(( (delay_us + 999) / 1000 ))
cat >"$work/soak.yaml" <<YAML
seeds: ["$site/", "$faults/f/0"]
pool: {workers: 16}
fetch: {timeout: 3s, connect_timeout: 1s, max_body: 1MiB, low_speed_limit: 100, low_speed_time: 2s}
politeness: {robots: false, delay: ${delay_ms}ms, per_host: 4, retries: 1, backoff: 100ms}
output: {dir: $work/out, text: false}
state: {dir: $work/state, frontier_memory: 10000}
log: {level: warn}
YAML
echo "soak: $pages pages at $site/, faults at $faults/, delay ${delay_ms} ms, about $minutes min"
"$build/app/crawler" --config "$work/soak.yaml" >"$work/crawler.log" 2>&1 &
crawler_pid=$!
samples="$work/samples.csv"
echo "second,rss_kib,fds" >"$samples"
second=0
while kill -0 "$crawler_pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$crawler_pid/status" 2>/dev/null || true)
  fds=$(ls "/proc/$crawler_pid/fd" 2>/dev/null | wc -l || true)
  [ -n "$rss" ] && echo "$second,$rss,$fds" >>"$samples"
  if [ $((second % 60)) -eq 0 ]; then echo "soak: ${second}s rss ${rss:-?} KiB, ${fds:-?} fds"; fi
  sleep 1
  second=$((second + 1))
done
set +e
wait "$crawler_pid"
status=$?
set -e
crawler_pid=""
echo "soak: crawler exited $status after ${second}s"
tail -n 5 "$work/crawler.log"
mkdir -p "$root/soak-out"
cp "$samples" "$work/crawler.log" "$work/out/stats.json" "$root/soak-out/" 2>/dev/null || true

/usr/bin/python3 - "$samples" "$work/expected" "$work/out" "$status" <<'PY'
import csv, glob, json, sys
samples_file, expected_file, out_dir, status = sys.argv[1:5]
rows = [(int(r["second"]), int(r["rss_kib"]), int(r["fds"])) for r in csv.DictReader(open(samples_file))]
failures = []
if status != "0":
    failures.append(f"the crawler exited {status}")
after = [r for r in rows if r[0] >= 60]
peak = max(r[1] for r in rows) if rows else 0
print(f"soak: {len(rows)} samples, peak RSS {peak / 1024:.1f} MiB, peak fds {max((r[2] for r in rows), default=0)}")
for mark in (60, 120, 300, 600):
    at = [r for r in rows if r[0] == mark]
    if at:
        print(f"soak: at {mark:>3}s RSS {at[0][1] / 1024:.1f} MiB, {at[0][2]} fds")
if len(after) >= 20:
    half = len(after) // 2
    first, last = after[:half], after[half:]
    rss1, rss2 = max(r[1] for r in first), max(r[1] for r in last)
    fd1, fd2 = max(r[2] for r in first), max(r[2] for r in last)
    print(f"soak: after the first minute: RSS max {rss1 / 1024:.1f} -> {rss2 / 1024:.1f} MiB, fds max {fd1} -> {fd2}")
    if rss2 > rss1 * 1.10 + 4096:
        failures.append("resident memory keeps growing")
    if fd2 > fd1 + 8:
        failures.append("open file descriptors keep growing")
else:
    print("soak: too short to judge growth (under 80 s of samples)")
expected = set(line.strip() for line in open(expected_file) if line.strip())
seen = {}
bad = 0
for path in glob.glob(out_dir + "/pages-*.jsonl"):
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            url = json.loads(line)["url"]
        except Exception:
            bad += 1
            continue
        seen[url] = seen.get(url, 0) + 1
dups = [u for u, n in seen.items() if n > 1]
lost = expected - set(seen)
print(f"soak: {len(seen)} URLs recorded ({len(expected)} site URLs expected), {len(lost)} lost, {len(dups)} recorded twice, {bad} bad lines")
if lost:
    failures.append(f"{len(lost)} site pages lost, e.g. {sorted(lost)[:3]}")
if dups:
    failures.append(f"{len(dups)} URLs recorded more than once, e.g. {dups[:3]}")
if bad:
    failures.append(f"{bad} invalid lines")
if failures:
    print("soak: FAILED: " + "; ".join(failures))
    sys.exit(1)
print("soak: passed")
PY
