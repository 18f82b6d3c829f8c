#!/usr/bin/env bash
# Run every test suite: unit, store (PGlite and a real PostgreSQL), API,
# security and end-to-end against real bubblewrap sandboxes.
source "$(dirname "$0")/scripts/_env.sh"
ensure_deno
ensure_packages "${RUNTIME_PACKAGES[@]}" postgresql
cd "$ROOT"
deno install --frozen >&2
export BAY_TEST_DATABASE_URL="$(bash .ci/postgres.sh)"
export BAY_TEST_REQUIRE_POSTGRES=1
log "deno $(deno --version | head -1); postgres at ${BAY_TEST_DATABASE_URL%%@*}@…"
deno task ok
