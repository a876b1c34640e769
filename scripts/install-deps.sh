#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need, non-interactively.
# Idempotent: when every package is already present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libssl-dev libgumbo-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libcpp-httplib-dev libxxhash-dev libre2-dev zlib1g-dev libbrotli-dev libjemalloc-dev
  libdeflate-dev libisal-dev
  clang clang-format clang-tidy libclang-rt-14-dev
  python3 curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm run the archive reader the WARC tests use (warcio, installed by
# scripts/install-warcio.sh). Checked by command: a Node.js from elsewhere (e.g. NodeSource,
# which bundles npm and conflicts with Debian's npm package) serves as well.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

"$(dirname "$0")/install-warcio.sh"
