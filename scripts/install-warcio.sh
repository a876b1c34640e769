#!/usr/bin/env bash
# Installs the npm package warcio (Webrecorder's WARC reader) into tests/tools/warc_check/, at
# the version package-lock.json pins, for the WARC tests' independent check. Idempotent: does
# nothing when that version is already there.
set -euo pipefail
tool="$(cd "$(dirname "$0")/.." && pwd)/tests/tools/warc_check"
want=$(node -e "console.log(require('$tool/package-lock.json').packages['node_modules/warcio'].version)")
have=$(node -e "try{console.log(require('$tool/node_modules/warcio/package.json').version)}catch(e){}" 2>/dev/null || true)
if [ "$have" = "$want" ]; then exit 0; fi
echo "install-warcio: installing warcio $want" >&2
(cd "$tool" && npm ci --no-audit --no-fund --loglevel=error)
