#!/usr/bin/env bash
# Build the web dashboard that Bay serves at /dashboard/: install the locked
# npm dependencies, type-check (tsc --noEmit, strict) and bundle with Vite
# into dashboard/dist/ (gitignored). Needs Node.js >= 20.19 with npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v npm >/dev/null || { echo "dashboard/build.sh: npm (Node.js >= 20.19) is required" >&2; exit 1; }
npm ci --no-audit --no-fund --prefer-offline
npm run build
echo "dashboard built into $(pwd)/dist (Bay serves it at /dashboard/)" >&2
