#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine that has only Node.js 20 and npm:
# pnpm at the version pinned in package.json, then the workspace's npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "bootstrap: installing pnpm $want (found: ${have:-none})" >&2
  npm install --global --no-fund --no-audit "pnpm@$want" >&2
fi

# node-gyp builds better-sqlite3 against the installed Node headers; it cannot download them here.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile >&2
else
  pnpm install >&2
fi
# The airbox command runs from one bundled file (no TypeScript loader in the process).
node scripts/build.mjs
