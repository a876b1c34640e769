#!/usr/bin/env bash
# Installs what scripts/bench.sh needs besides the build dependencies: nginx (serves the bench
# sites), the peer crawlers (wget, wget2, httrack, Scrapy from Debian; Crawlee from npm into a
# bench-local folder, never committed), GNU time (CPU and peak RSS of one tool), gnuplot (the
# chart) and python3.11-doc (the Python documentation site). Idempotent.
# Usage: scripts/install-bench-deps.sh NODE_DIR   (where npm installs Crawlee)
set -euo pipefail

node_dir=${1:?usage: install-bench-deps.sh NODE_DIR}
# Pinned so figures from two runs compare the same peer.
crawlee_version=3.18.1

packages=(nginx wget wget2 httrack python3-scrapy gnuplot-nox python3.11-doc time nodejs npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs may come from another repository that bundles npm (then the "npm" package is absent
# but the command is there); ask apt for npm only when the command is missing.
if command -v npm >/dev/null; then
  missing=("${missing[@]/npm/}")
fi
if command -v node >/dev/null; then
  missing=("${missing[@]/nodejs/}")
fi
read -r -a missing <<<"${missing[*]}"

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-bench-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged nginx on port 80; the bench runs its own, so stop that one.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi

if [ ! -f "$node_dir/node_modules/@crawlee/cheerio/package.json" ] ||
  ! grep -q "\"version\": \"$crawlee_version\"" "$node_dir/node_modules/@crawlee/cheerio/package.json"; then
  echo "install-bench-deps: npm install @crawlee/cheerio@$crawlee_version into $node_dir" >&2
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name":"crawler-bench-peers","private":true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error "@crawlee/cheerio@$crawlee_version" >/dev/null)
fi
