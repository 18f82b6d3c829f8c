#!/usr/bin/env bash
# Run every test suite: unit, store (PGlite and a real PostgreSQL), API,
# driver conformance (fake, local, docker), security and end-to-end against
# real bubblewrap sandboxes and real Docker containers.
source "$(dirname "$0")/scripts/_env.sh"
ensure_deno
ensure_packages "${RUNTIME_PACKAGES[@]}" postgresql docker.io debootstrap
cd "$ROOT"
deno install --frozen >&2
export BAY_TEST_DATABASE_URL="$(bash .ci/postgres.sh)"
export BAY_TEST_REQUIRE_POSTGRES=1
ensure_dockerd
log "runtime image: $(bash scripts/image.sh | tail -1)"
log "deno $(deno --version | head -1); postgres at ${BAY_TEST_DATABASE_URL%%@*}@…"
deno task ok
log "end-to-end suite against the docker driver"
E2E_DRIVER=docker deno test -A --frozen --unstable-no-legacy-abort tests/e2e/
log "python SDK: ruff, mypy, pytest against a real Bay, wheel"
bash sdk/python/ci.sh
log "dashboard in a real browser (Debian chromium, playwright-core)"
ensure_packages chromium
bash dashboard/test.sh
