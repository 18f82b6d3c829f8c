#!/usr/bin/env bash
# Browser test of the dashboard: build it (and run its unit tests), start a real Bay (local bubblewrap
# driver, free port, temporary data dir, a fresh BAY_API_KEY), drive the main
# flows in headless Debian Chromium through Playwright (dashboard/e2e/flows.mjs),
# stop Bay. Screenshots land in tests/dashboard/screenshots/. Exits non-zero
# on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../scripts/_env.sh" # ROOT, log, ensure_deno, ensure_packages, RUNTIME_PACKAGES
T0=$(date +%s)

ensure_deno
ensure_packages "${RUNTIME_PACKAGES[@]}" chromium
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM_PATH" ] || { log "no Chromium at $CHROMIUM_PATH"; exit 1; }

log "building the dashboard"
bash "$HERE/build.sh" >&2
(cd "$HERE" && npm test) >&2
cd "$ROOT"
deno install --frozen >&2

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
DATA="$(mktemp -d /tmp/dashboard-e2e.XXXXXX)"
KEY="dash-e2e-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
SHOTS="$ROOT/tests/dashboard/screenshots"
rm -rf "$SHOTS" && mkdir -p "$SHOTS"

BAY_DATA_DIR="$DATA" BAY_PORT="$PORT" BAY_API_KEY="$KEY" \
  deno run -A --frozen --unstable-no-legacy-abort bay/main.ts >"$DATA/bay.log" 2>&1 &
BAY_PID=$!

# Kill whatever still names our data dir (a sandbox Bay left behind), by pid.
reap() {
  local pid cmd
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$pid" = "$$" ] && continue
    cmd="$( (tr '\0' ' ' <"/proc/$pid/cmdline") 2>/dev/null || true)"
    case "$cmd" in *"$DATA"*) kill -KILL "$pid" 2>/dev/null || true ;; esac
  done
}
stop_bay() {
  local rc=$?
  if kill -0 "$BAY_PID" 2>/dev/null; then
    kill -TERM "$BAY_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$BAY_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$BAY_PID" 2>/dev/null || true
  fi
  wait "$BAY_PID" 2>/dev/null || true
  reap
  if [ "$rc" -ne 0 ]; then
    log "dashboard test FAILED; last Bay log lines:"
    tail -40 "$DATA/bay.log" >&2 || true
  fi
  rm -rf "$DATA"
  log "done in $(($(date +%s) - T0)) s (exit $rc)"
}
trap stop_bay EXIT

URL="http://127.0.0.1:$PORT"
healthy() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/health"; }
for _ in $(seq 1 240); do
  kill -0 "$BAY_PID" 2>/dev/null || { log "Bay exited during start"; exit 1; }
  healthy && break
  sleep 0.25
done
healthy || { log "Bay did not answer /health"; exit 1; }
log "Bay up at $URL (pid $BAY_PID, data $DATA) after $(($(date +%s) - T0)) s"

BAY_URL="$URL" BAY_API_KEY="$KEY" SCREENSHOT_DIR="$SHOTS" node "$HERE/e2e/flows.mjs"
